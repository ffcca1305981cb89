-- Version 2 → 3: actors.sector, the sector of an actor (GOV, MIL, COP, REB, OPP, CVL, JUD, SPY, MED, BUS,
-- LAB, EDU, REF, IGO, NGO and the other Phoenix agent codes of groups.yaml sector_codes; null for a state
-- and where the text gives none). Generic actors ("police in Amman") carry it; existing rows stay null until
-- their sources are coded again (a new extractor version re-codes them). Idempotent.
ALTER TABLE actors ADD COLUMN IF NOT EXISTS sector VARCHAR;
