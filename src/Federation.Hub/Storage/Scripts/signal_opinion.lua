-- Records, changes or withdraws (opinion 0) one member's opinion of one signal, atomically, and appends a feed entry
-- when the counts change: OPINION_CHANGED (3), or the governance transition the new counts cause (docs/governance.md):
-- OVERTURNED (13) once the false positives reach the quorum, else QUARANTINED (11) once the disputes (DISPUTED +
-- FALSE_POSITIVE) reach the minimum count and share of all opinions, unless administrators released it before.
-- KEYS[1] partition feed stream, KEYS[2] bucket hash, KEYS[3] the signal's opinions hash, KEYS[4] its overflow contributors hash,
-- KEYS[5] partition quarantine registry, KEYS[6] partition stats hash, KEYS[7] partition appeals hash, KEYS[8] the signal's actions hash,
-- KEYS[9] partition disputed registry (storage key -> DISPUTED + FALSE_POSITIVE count, for administrators' review)
-- ARGV[1] storage key, ARGV[2] member number, ARGV[3] opinion 0-3, ARGV[4] now (unix seconds), ARGV[5] feed MAXLEN,
-- ARGV[6] quarantine minimum disputes (0 = never), ARGV[7] quarantine minimum dispute share (percent),
-- ARGV[8] false-positive quorum (0 = never)
-- then the bucket layout (layout_one, signal_record.lua): KEYS[10] bucket at twice the modulus, KEYS[11] layout, ARGV[9] assumed modulus
-- Returns {code, packed record, caller contributes (0/1), feed kind}: code 1 changed, 0 unchanged, -1 no record, -2 not active.
local field, member, opinion, now, maxlen = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4]), ARGV[5]
local min_disputes, min_share, quorum = tonumber(ARGV[6]), tonumber(ARGV[7]), tonumber(ARGV[8])
layout_one(field, 2)
local packed = redis.call('HGET', KEYS[2], field)
if not packed then return {-1} end
local st, q, ver, cats, first, last, exp, cnt, c1, c2, c3, m1, cf, lv, fl = rec_unpack(packed)
if st ~= 1 or (exp ~= 0 and exp <= now) then return {-2, packed} end
local mine = 0
if m1 == member or (m1 == 0 and redis.call('HEXISTS', KEYS[4], member) == 1) then mine = 1 end
local old = tonumber(redis.call('HGET', KEYS[3], member) or '0')
if old == opinion then return {0, packed, mine, 0} end
local counts = {c1, c2, c3}
if old > 0 and counts[old] > 0 then counts[old] = counts[old] - 1 end
if opinion > 0 then
  counts[opinion] = counts[opinion] + 1
  redis.call('HSET', KEYS[3], member, opinion)
else
  redis.call('HDEL', KEYS[3], member)
end
local kind = 3
local disputes = counts[2] + counts[3]
if disputes > 0 then redis.call('HSET', KEYS[9], field, disputes) else redis.call('HDEL', KEYS[9], field) end
if quorum > 0 and counts[3] >= quorum then
  st = 4
  kind = 13
  if has_flag(fl, FL_QUARANTINED) then quarantine_leave(KEYS[5], KEYS[6], field) end
  fl = bit.band(fl, FL_REVIEWED)
  redis.call('HINCRBY', KEYS[6], statfield('a', field), -1)
  redis.call('HINCRBY', KEYS[6], statfield('O', field), 1)
  appeal_due(KEYS[7], KEYS[8], field, 2, now, '')
elseif fl == 0 and min_disputes > 0 and disputes >= min_disputes and disputes * 100 >= min_share * (counts[1] + disputes) then
  fl = FL_QUARANTINED
  kind = 11
  quarantine_enter(KEYS[5], KEYS[6], field, 1, now, '')
end
ver = ver + 1
packed = rec_pack(st, q, ver, cats, first, last, exp, cnt, counts[1], counts[2], counts[3], m1, cf, lv, fl)
redis.call('HSET', KEYS[2], field, packed)
redis.call('XADD', KEYS[1], 'MAXLEN', '~', maxlen, '*', 's', field, 'k', kind, 'v', ver)
return {1, packed, mine, kind}
