-- A governance change of one record (docs/governance.md), atomically with its feed entry:
-- op 1 quarantine (QUARANTINED, 11), op 2 release (RELEASED, 12), op 3 overturn (OVERTURNED, 13).
-- KEYS[1] partition feed stream, KEYS[2] bucket hash, KEYS[3] partition quarantine registry, KEYS[4] partition stats hash,
-- KEYS[5] partition appeals hash, KEYS[6] the signal's actions hash
-- ARGV[1] op, ARGV[2] storage key, ARGV[3] now (unix seconds), ARGV[4] feed MAXLEN, ARGV[5] reason,
-- ARGV[6] quarantine trigger (2 match rate: skipped for a record administrators released; 3 administrator)
-- then the bucket layout (layout_one, signal_record.lua): KEYS[7] bucket at twice the modulus, KEYS[8] layout, ARGV[7] assumed modulus
-- Returns {code, packed record}: code 1 changed, -1 no record, -2 not active (retracted, expired or overturned),
-- -4 quarantine: already quarantined (or, trigger 2, released before) / release: not quarantined.
local op, field, now, maxlen, reason = tonumber(ARGV[1]), ARGV[2], tonumber(ARGV[3]), ARGV[4], ARGV[5]
layout_one(field, 2)
local packed = redis.call('HGET', KEYS[2], field)
if not packed then return {-1} end
local st, q, ver, cats, first, last, exp, cnt, c1, c2, c3, m1, cf, lv, fl = rec_unpack(packed)
if st ~= 1 or (exp ~= 0 and exp <= now) then return {-2, packed} end
local kind
if op == 1 then
  local trigger = tonumber(ARGV[6])
  if has_flag(fl, FL_QUARANTINED) or (trigger == 2 and has_flag(fl, FL_REVIEWED)) then return {-4, packed} end
  fl = bit.bor(fl, FL_QUARANTINED)
  quarantine_enter(KEYS[3], KEYS[4], field, trigger, now, reason)
  kind = 11
elseif op == 2 then
  if not has_flag(fl, FL_QUARANTINED) then return {-4, packed} end
  fl = FL_REVIEWED
  quarantine_leave(KEYS[3], KEYS[4], field)
  kind = 12
else
  if has_flag(fl, FL_QUARANTINED) then quarantine_leave(KEYS[3], KEYS[4], field) end
  fl = bit.band(fl, FL_REVIEWED)
  st = 4
  redis.call('HINCRBY', KEYS[4], statfield('a', field), -1)
  redis.call('HINCRBY', KEYS[4], statfield('O', field), 1)
  appeal_due(KEYS[5], KEYS[6], field, 3, now, reason)
  kind = 13
end
ver = ver + 1
packed = rec_pack(st, q, ver, cats, first, last, exp, cnt, c1, c2, c3, m1, cf, lv, fl)
redis.call('HSET', KEYS[2], field, packed)
redis.call('XADD', KEYS[1], 'MAXLEN', '~', maxlen, '*', 's', field, 'k', kind, 'v', ver)
return {1, packed}
