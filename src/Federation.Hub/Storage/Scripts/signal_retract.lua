-- Withdraws one member's own contribution to one signal, atomically. Appends CONTRIBUTION_WITHDRAWN (4) when
-- others still back the signal, RETRACTED (5) when nobody does. The union of categories is recomputed from the
-- remaining contributions, and so are the confidence (the highest) and the share level (the least restrictive).
-- A retraction ends a quarantine, and tells the appeal dispatcher about members that acted on the signal.
-- KEYS[1] partition feed stream, KEYS[2] bucket hash, KEYS[3] the signal's overflow contributors hash, KEYS[4] partition stats hash,
-- KEYS[5] partition quarantine registry, KEYS[6] partition appeals hash, KEYS[7] the signal's actions hash
-- ARGV[1] storage key, ARGV[2] member number, ARGV[3] now (unix seconds), ARGV[4] feed MAXLEN, ARGV[5] stats field 'a<kind>[:group]'
-- then the bucket layout (layout_one, signal_record.lua): KEYS[8] bucket at twice the modulus, KEYS[9] layout, ARGV[6] assumed modulus
-- Returns {code, packed record}: code 4 withdrawn, 5 retracted, -1 no record, -2 not active, -3 caller is not a contributor.
local field, member, now, maxlen = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3]), ARGV[4]
layout_one(field, 2)
local packed = redis.call('HGET', KEYS[2], field)
if not packed then return {-1} end
local st, q, ver, cats, first, last, exp, cnt, c1, c2, c3, m1, cf, lv, fl = rec_unpack(packed)
if st ~= 1 or (exp ~= 0 and exp <= now) then return {-2, packed} end
local kind
if m1 == member then
  cnt = 0
  m1 = 0
elseif m1 == 0 and redis.call('HDEL', KEYS[3], member) == 1 then
  local remaining = redis.call('HVALS', KEYS[3])
  cnt = #remaining
  if cnt > 0 then
    local union, best, loosest = 0, 0, nil
    for _, v in ipairs(remaining) do
      local ccats, _, ccf, clv = con_unpack(v)
      union = bit.bor(union, ccats)
      if ccf > best then best = ccf end
      if loosest == nil then loosest = clv else loosest = lv_loosest(loosest, clv) end
    end
    if union < 0 then union = union + 4294967296 end
    cats, cf, lv = union, best, loosest
  else
    redis.call('DEL', KEYS[3])
  end
else
  return {-3, packed}
end
if cnt == 0 then
  st = 2
  kind = 5
  redis.call('HINCRBY', KEYS[4], ARGV[5], -1)
  if has_flag(fl, FL_QUARANTINED) then quarantine_leave(KEYS[5], KEYS[4], field) end
  fl = bit.band(fl, FL_REVIEWED)
  appeal_due(KEYS[6], KEYS[7], field, 1, now, '')
else
  kind = 4
end
ver = ver + 1
packed = rec_pack(st, q, ver, cats, first, last, exp, cnt, c1, c2, c3, m1, cf, lv, fl)
redis.call('HSET', KEYS[2], field, packed)
redis.call('XADD', KEYS[1], 'MAXLEN', '~', maxlen, '*', 's', field, 'k', kind, 'v', ver)
return {kind, packed}
