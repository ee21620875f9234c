-- Splits the bucket at ONE partition's split pointer (linear hashing, docs/signals.md "Buckets that follow the data"):
-- the records of bucket s whose h mod 2n is s + n move to the new bucket s + n, the pointer advances, and when it
-- reaches n the modulus doubles and the pointer restarts at 0. One bucket per call (a few hundred fields at most), so
-- no call holds Redis for long and no write waits; clients see the change at once through the layout (layout_of).
-- KEYS[1] the partition's bucket layout, KEYS[2] bucket s, KEYS[3] bucket s + n
-- ARGV[1] n and ARGV[2] s the caller read (a different layout: nothing is done), ARGV[3] the configured bucket count
-- (the layout of a partition nobody wrote to yet)
-- Returns {n, s, records moved} after the call; moved is -1 when the layout was not the caller's.
local CHUNK = 256
local v = redis.call('HMGET', KEYS[1], 'n', 's')
local n, s = tonumber(v[1] or ARGV[3]), tonumber(v[2] or 0)
if n ~= tonumber(ARGV[1]) or s ~= tonumber(ARGV[2]) then return {n, s, -1} end
local all = redis.call('HGETALL', KEYS[2])
local keep, move = {}, {}
local m = 2 * n
for i = 1, #all, 2 do
  local h = string.byte(all[i], 4) * 256 + string.byte(all[i], 5)
  local to = keep
  if h % m ~= s then to = move end
  to[#to + 1] = all[i]
  to[#to + 1] = all[i + 1]
end
local function put(key, pairs)
  for i = 1, #pairs, 2 * CHUNK do
    redis.call('HSET', key, unpack(pairs, i, math.min(#pairs, i + 2 * CHUNK - 1)))
  end
end
if #move > 0 then
  -- Rebuilt rather than HDEL'd field by field: one pass, and a bucket that had outgrown the listpack limit (the fixed
  -- layout of before at ~10M signals) comes back as a listpack.
  redis.call('DEL', KEYS[2])
  put(KEYS[2], keep)
  put(KEYS[3], move)
end
s = s + 1
if s == n then
  n = m
  s = 0
end
redis.call('HSET', KEYS[1], 'n', n, 's', s)
return {n, s, #move / 2}
