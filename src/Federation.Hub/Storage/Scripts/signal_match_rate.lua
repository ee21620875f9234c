-- Adds one replica's look-up match counts of ONE partition to this hour's counters, and names the records whose count
-- just reached the quarantine policy's limit (each is named once per hour: by the call that crossed it).
-- KEYS[1] the partition's match counter hash for this hour 'mr:<unix hour>'
-- ARGV[1] limit (matches per hour), ARGV[2] counter lifetime (seconds), then pairs: storage key, matches to add
-- Returns the storage keys that crossed the limit.
local limit = tonumber(ARGV[1])
local crossed = {}
for i = 3, #ARGV, 2 do
  local add = tonumber(ARGV[i + 1])
  local total = redis.call('HINCRBY', KEYS[1], ARGV[i], add)
  if total >= limit and total - add < limit then crossed[#crossed + 1] = ARGV[i] end
end
redis.call('EXPIRE', KEYS[1], ARGV[2])
return crossed
