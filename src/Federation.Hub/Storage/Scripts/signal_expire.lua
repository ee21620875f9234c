-- Expiry sweep over some buckets of ONE partition: every ACTIVE record whose expiry has passed becomes EXPIRED
-- (version + 1) and gets an EXPIRED (6) feed entry. Tombstones (retracted or expired records) whose expiry lies more
-- than ARGV[3] seconds in the past are only reported: deleting them touches their side hashes, keys this call cannot
-- declare before it has read the buckets, so signal_purge.lua deletes them in a second call that declares them.
-- Idempotent: running it twice changes nothing more.
-- Expiry ends a quarantine (the record leaves the registry).
-- Walks the buckets in order and stops before one that would take the call past ARGV[4] records (the first is always
-- walked): Redis answers nobody else while a script runs, so a call's length follows its records, not its buckets.
-- KEYS[1] partition feed stream, KEYS[2] partition stats hash, KEYS[3] partition quarantine registry, KEYS[3+j] bucket hashes to sweep
-- ARGV[1] now (unix seconds), ARGV[2] feed MAXLEN, ARGV[3] tombstone keep (seconds), ARGV[4] records per call at most
-- Returns {records expired, buckets walked, then per tombstone due: index of its bucket in KEYS, its field}.
local now, maxlen, keep, budget = tonumber(ARGV[1]), ARGV[2], tonumber(ARGV[3]), tonumber(ARGV[4])
local expired, walked, records = 0, 0, 0
local due = {}
for j = 4, #KEYS do
  if walked > 0 and records + redis.call('HLEN', KEYS[j]) > budget then break end
  local all = redis.call('HGETALL', KEYS[j])
  walked = walked + 1
  records = records + #all / 2
  for i = 1, #all, 2 do
    local field, packed = all[i], all[i + 1]
    local st, exp = rec_status_expiry(packed)
    if st == 1 and exp ~= 0 and exp <= now then
      local _, q, ver, cats, first, last, _, cnt, c1, c2, c3, m1, cf, lv, fl = rec_unpack(packed)
      ver = ver + 1
      if has_flag(fl, FL_QUARANTINED) then quarantine_leave(KEYS[3], KEYS[2], field) end
      redis.call('HSET', KEYS[j], field, rec_pack(3, q, ver, cats, first, last, exp, cnt, c1, c2, c3, m1, cf, lv, bit.band(fl, FL_REVIEWED)))
      redis.call('XADD', KEYS[1], 'MAXLEN', '~', maxlen, '*', 's', field, 'k', 6, 'v', ver)
      redis.call('HINCRBY', KEYS[2], statfield('a', field), -1)
      expired = expired + 1
    elseif st ~= 1 and exp ~= 0 and exp + keep <= now then
      due[#due + 1] = j
      due[#due + 1] = field
    end
  end
end
table.insert(due, 1, walked)
table.insert(due, 1, expired)
return due
