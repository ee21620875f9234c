-- Deduplicates a batch of submissions of ONE member into ONE partition, atomically: creates or updates each record,
-- adds the member as a contributor, merges categories, updates last seen / expiry / version, and appends a feed
-- entry only on a material change (new record, new member, new category).
-- KEYS[1] partition feed stream, KEYS[2] partition stats hash, KEYS[3] partition bucket layout, then 3 per item i:
-- KEYS[1+3i] its bucket at the assumed modulus, KEYS[2+3i] its bucket at twice that (layout_pick, signal_record.lua), and
-- KEYS[3+3i] its overflow contributors hash 'fed:{pNN}:c:<storage key>' (declared, as Redis requires of every key a
-- script touches; the storage key, the bucket field, is read back from it, so it crosses the wire once)
-- ARGV[1] now (unix seconds), ARGV[2] member number, ARGV[3] feed MAXLEN (approximate),
-- ARGV[4] length of the overflow key prefix 'fed:{pNN}:c:', ARGV[5] the bucket modulus the client assumes
-- then 5 per item: categories bitmask, expires at (unix seconds, 0 = never), PDQ quality, confidence (stored: + 1,
-- 0 = none), share level (stored: 0 = GREEN)
-- Returns {outcomes, written}: one outcome per item (1 CREATED, 2 CORROBORATED, 3 UNCHANGED, 4 refused: the record is
-- OVERTURNED), and the id of the last
-- feed entry this call appended (false when none), from which Submit builds its consistency token.
-- Records and contributions are packed by rec_pack / con_pack (signal_record.lua, prepended). A contribution's
-- confidence and share level are fixed when it is created (a repeat keeps them), so a new contribution only raises the
-- record's confidence (the highest) and only loosens its share level (the least restrictive): a subscriber whose filter
-- a record passed keeps passing it until a withdrawal, which filters never hold back. statfield comes from
-- SignalStatFields.cs (generated prelude).

local function bor(a, b)
  local r = bit.bor(a, b)
  if r < 0 then r = r + 4294967296 end
  return r
end

local function later(a, b)
  if a == 0 or b == 0 then return 0 end
  if a > b then return a end
  return b
end

local now = tonumber(ARGV[1])
local member = tonumber(ARGV[2])
local maxlen = ARGV[3]
local fstart = tonumber(ARGV[4]) + 1
-- The layout first: a stale client gets FEDLAYOUT before anything is written. The first write of a partition without
-- a layout records the fixed layout it has been using, so every client agrees on it from then on.
local ln, ls, known = layout_of(KEYS[3], ARGV[5])
if not known then redis.call('HSET', KEYS[3], 'n', ln, 's', 0) end
local out = {}
local written = false
local n = (#ARGV - 5) / 5
for i = 1, n do
  local a = 5 + (i - 1) * 5
  local icats = tonumber(ARGV[a + 1])
  local iexp = tonumber(ARGV[a + 2])
  local iq = tonumber(ARGV[a + 3])
  local icf = tonumber(ARGV[a + 4])
  local ilv = tonumber(ARGV[a + 5])
  local ckey = KEYS[3 + 3 * i]
  local field = string.sub(ckey, fstart)
  local bucket = layout_pick(field, ln, ls, KEYS[1 + 3 * i], KEYS[2 + 3 * i])
  local packed = redis.call('HGET', bucket, field)
  local outcome
  local version
  if not packed then
    version = 1
    redis.call('HSET', bucket, field, rec_pack(1, iq, 1, icats, now, now, iexp, 1, 0, 0, 0, member, icf, ilv, 0))
    redis.call('HINCRBY', KEYS[2], statfield('t', field), 1)
    redis.call('HINCRBY', KEYS[2], statfield('a', field), 1)
    outcome = 1
  else
    local st, q, ver, cats, first, last, exp, cnt, c1, c2, c3, m1, cf, lv, fl = rec_unpack(packed)
    if st == 4 then
      -- Overturned: the coalition found it is not abuse; the tombstone refuses it until it is purged.
      version = ver
      outcome = 4
    elseif st ~= 1 or (exp ~= 0 and exp <= now) then
      -- Retracted or expired: the submission revives the record with this member as its only contributor.
      -- The version keeps counting so subscribers can always keep the highest one.
      if st ~= 1 then redis.call('HINCRBY', KEYS[2], statfield('a', field), 1) end
      redis.call('DEL', ckey)
      version = ver + 1
      -- (Retraction and expiry take a record out of quarantine; one the sweep has not expired yet keeps it.)
      redis.call('HSET', bucket, field, rec_pack(1, iq, version, icats, first, now, iexp, 1, c1, c2, c3, member, icf, ilv, fl))
      outcome = 1
    else
      local material = false
      if m1 == member then
        -- The inline member's categories are the record's: merged below.
      elseif m1 ~= 0 then
        -- A second member arrives: move both contributions to the overflow hash.
        redis.call('HSET', ckey, m1, con_pack(cats, exp, cf, lv), member, con_pack(icats, iexp, icf, ilv))
        m1 = 0
        cnt = cnt + 1
        material = true
        if icf > cf then cf = icf end
        lv = lv_loosest(lv, ilv)
      else
        local mine = redis.call('HGET', ckey, member)
        if mine then
          local mcats, mexp, mcf, mlv = con_unpack(mine)
          local ncats, nexp = bor(mcats, icats), later(mexp, iexp)
          if ncats ~= mcats or nexp ~= mexp then redis.call('HSET', ckey, member, con_pack(ncats, nexp, mcf, mlv)) end
        else
          redis.call('HSET', ckey, member, con_pack(icats, iexp, icf, ilv))
          cnt = cnt + 1
          material = true
          if icf > cf then cf = icf end
          lv = lv_loosest(lv, ilv)
        end
      end
      local ncats = bor(cats, icats)
      if ncats ~= cats then material = true end
      if material then
        version = ver + 1
        outcome = 2
      else
        version = ver
        outcome = 3
      end
      redis.call('HSET', bucket, field, rec_pack(1, q, version, ncats, first, now, later(exp, iexp), cnt, c1, c2, c3, m1, cf, lv, fl))
    end
  end
  if outcome < 3 then
    written = redis.call('XADD', KEYS[1], 'MAXLEN', '~', maxlen, '*', 's', field, 'k', outcome, 'v', version)
  end
  out[i] = outcome
end
return {out, written}
