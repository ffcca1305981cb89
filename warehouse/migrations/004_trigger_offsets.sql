-- Version 3 → 4: where the trigger is in its sentence. `events.trigger` is one contiguous span of
-- `sentence` (from the first to the last trigger word); `trigger_start` / `trigger_end` are its character
-- offsets into `sentence`, so substr(sentence, trigger_start + 1, trigger_end - trigger_start) = trigger.
-- Rows loaded before this version keep null offsets until their source is re-coded. Idempotent.
ALTER TABLE events ADD COLUMN IF NOT EXISTS trigger_start INTEGER;
ALTER TABLE events ADD COLUMN IF NOT EXISTS trigger_end INTEGER;
