-- Records, changes or withdraws (opinion 0) one member's opinion of one signal, atomically, and appends an
-- OPINION_CHANGED (3) feed entry when the counts change.
-- KEYS[1] partition feed stream, KEYS[2] bucket hash, KEYS[3] the signal's opinions hash, KEYS[4] its overflow contributors hash
-- ARGV[1] storage key, ARGV[2] member number, ARGV[3] opinion 0-3, ARGV[4] now (unix seconds), ARGV[5] feed MAXLEN
-- Returns {code, packed record, caller contributes (0/1)}: code 1 changed, 0 unchanged, -1 no record, -2 not active.
local field, member, opinion, now, maxlen = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4]), ARGV[5]
local packed = redis.call('HGET', KEYS[2], field)
if not packed then return {-1} end
local st, q, ver, cats, first, last, exp, cnt, c1, c2, c3, m1, cf, lv = rec_unpack(packed)
if st ~= 1 or (exp ~= 0 and exp <= now) then return {-2, packed} end
local mine = 0
if m1 == member or (m1 == 0 and redis.call('HEXISTS', KEYS[4], member) == 1) then mine = 1 end
local old = tonumber(redis.call('HGET', KEYS[3], member) or '0')
if old == opinion then return {0, packed, mine} end
local counts = {c1, c2, c3}
if old > 0 and counts[old] > 0 then counts[old] = counts[old] - 1 end
if opinion > 0 then
  counts[opinion] = counts[opinion] + 1
  redis.call('HSET', KEYS[3], member, opinion)
else
  redis.call('HDEL', KEYS[3], member)
end
ver = ver + 1
packed = rec_pack(st, q, ver, cats, first, last, exp, cnt, counts[1], counts[2], counts[3], m1, cf, lv)
redis.call('HSET', KEYS[2], field, packed)
redis.call('XADD', KEYS[1], 'MAXLEN', '~', maxlen, '*', 's', field, 'k', 3, 'v', ver)
return {1, packed, mine}
