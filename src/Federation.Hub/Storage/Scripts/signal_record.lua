-- The packed signal record, shared by every signal_*.lua script: SignalStore prepends this file to each of them.
-- Layout (decoder and byte offsets: SignalRecordCodec.cs): struct.pack('<BI4I4I4I4I4I4BHHHHBBB', status, version,
-- categories, first seen, last seen, expires at, inline member, PDQ quality, extra count, confirmed, disputed,
-- false positive, confidence, share level, governance flags) with its trailing zero bytes removed: 37 bytes at most,
-- 22 for a typical record (one contributor with a member number below 256, no quality, no opinions, no confidence,
-- GREEN, no flags). Never empty: status is 1-4 (4 = overturned). Confidence is stored + 1 (0 = none stated); share
-- level is stored with GREEN as 0 (so the default costs no byte): 0 GREEN, 1 CLEAR, 3 AMBER, 4 AMBER+STRICT (ShareLevel
-- values otherwise). Flags: 1 quarantined, 2 reviewed (released by an administrator: the opinion policy leaves it be).
-- A shorter record predates the last fields: the zero padding reads them as none / GREEN / no flags.
-- Inline member ~= 0 means exactly one contributor whose categories are the record's; the corroboration count is
-- then 1 and 'extra count' is stored as 0. Inline member = 0: the count is 'extra count' (contributors in 'c:').
-- A 38-byte record of the first layout ('<BBI4I4I4I4I4HHHHI4I4', its last field the inline member's categories,
-- always equal to the record's) is still read, and rewritten in this layout by the next change.
-- Every script that rewrites a record passes the flags it read on to rec_pack: a record keeps its quarantine
-- through corroborations and opinions.
local REC = '<BI4I4I4I4I4I4BHHHHBBB'
local REC_FULL = 37
local REC_V1 = '<BBI4I4I4I4I4HHHHI4I4'

-- Returns status, quality, version, categories, first, last, expires, count, confirmed, disputed, false positive,
-- inline member, confidence (stored), share level (stored), flags.
local function rec_unpack(packed)
  if #packed == 38 then
    local st, q, ver, cats, first, last, exp, cnt, c1, c2, c3, m1 = struct.unpack(REC_V1, packed)
    return st, q, ver, cats, first, last, exp, cnt, c1, c2, c3, m1, 0, 0, 0
  end
  local st, ver, cats, first, last, exp, m1, q, cnt, c1, c2, c3, cf, lv, fl = struct.unpack(REC, packed .. string.rep('\0', REC_FULL - #packed))
  if m1 ~= 0 then cnt = 1 end
  return st, q, ver, cats, first, last, exp, cnt, c1, c2, c3, m1, cf, lv, fl
end

-- Status and expiry alone, read in place (bytes 1 and 18-21 of REC; bytes a trimmed record lacks are zero): what the
-- expiry sweep needs of every record, without unpacking the fields of the many it leaves alone.
local function rec_status_expiry(packed)
  if #packed == 38 then
    local st, q, ver, cats, first, last, exp = struct.unpack(REC_V1, packed)
    return st, exp
  end
  local b1, b2, b3, b4 = string.byte(packed, 18, 21)
  return string.byte(packed, 1), (b1 or 0) + 256 * ((b2 or 0) + 256 * ((b3 or 0) + 256 * (b4 or 0)))
end

local function rec_pack(st, q, ver, cats, first, last, exp, cnt, c1, c2, c3, m1, cf, lv, fl)
  if m1 ~= 0 then cnt = 0 end
  return (string.gsub(struct.pack(REC, st, ver, cats, first, last, exp, m1, q, cnt, c1, c2, c3, cf, lv, fl), '%z+$', ''))
end

-- Governance flags (SignalRecordCodec.Quarantined / Reviewed).
local FL_QUARANTINED, FL_REVIEWED = 1, 2
local function has_flag(fl, f) return bit.band(fl, f) ~= 0 end

-- Quarantine bookkeeping (docs/governance.md): the partition's registry hash 'quarantine' (storage key ->
-- 'trigger|since|reason') and its counters, 'q<kind>[:group]' in quarantine now and 'Q<kind>[:group]' ever.
local function quarantine_enter(reg, stats, field, trigger, now, reason)
  redis.call('HSET', reg, field, trigger .. '|' .. now .. '|' .. reason)
  redis.call('HINCRBY', stats, statfield('q', field), 1)
  redis.call('HINCRBY', stats, statfield('Q', field), 1)
end

local function quarantine_leave(reg, stats, field)
  if redis.call('HDEL', reg, field) == 1 then redis.call('HINCRBY', stats, statfield('q', field), -1) end
end

-- A record members acted on ended (retracted by all, overturned): the appeal dispatcher owes them notices. The
-- partition's 'appeals' hash holds storage key -> 'cause|at|reason' until every notice is written.
local function appeal_due(pending, actions, field, cause, now, reason)
  if redis.call('EXISTS', actions) == 1 then
    redis.call('HSET', pending, field, cause .. '|' .. now .. '|' .. reason)
  end
end

-- One contribution in the overflow hash 'c:': struct.pack('<I4I4BB', categories, expires at, confidence (stored),
-- share level (stored)) with trailing zero bytes removed; an 8-byte value predates the last two fields.
local CON = '<I4I4BB'
local CON_FULL = 10

local function con_unpack(v)
  return struct.unpack(CON, v .. string.rep('\0', CON_FULL - #v))
end

local function con_pack(cats, exp, cf, lv)
  return (string.gsub(struct.pack(CON, cats, exp, cf, lv), '%z+$', ''))
end

-- The record's share level over two contributions: the less restrictive one (stored form, 0 = GREEN ranks 2).
local function lv_loosest(a, b)
  local ra, rb = a, b
  if ra == 0 then ra = 2 end
  if rb == 0 then rb = 2 end
  if rb < ra then return b end
  return a
end


-- The partition's bucket layout (linear hashing, docs/signals.md "Buckets that follow the data"): hash 'fed:{pNN}:layout'
-- with 'n' the low modulus and 's' the split pointer. A record's bucket is h mod n, or h mod 2n when h mod n < s, with
-- h = raw bytes 2-3 of its hash (storage key bytes 4-5, as SignalStorageKey.Hash). The client sends the modulus it
-- assumes and both candidate buckets; a layout without 'n' is the fixed layout of before (the client's configured
-- bucket count, nothing split). A different 'n' raises FEDLAYOUT before the script writes anything: the client
-- re-reads the layout and calls again, so a stale client never writes or reads the wrong bucket.
local function layout_of(lkey, assumed)
  local v = redis.call('HMGET', lkey, 'n', 's')
  if not v[1] then return tonumber(assumed), 0, false end
  local n = tonumber(v[1])
  if n ~= tonumber(assumed) then error({err = 'FEDLAYOUT ' .. n}) end
  return n, tonumber(v[2]), true
end

local function layout_hash(field)
  return string.byte(field, 4) * 256 + string.byte(field, 5)
end

local function layout_pick(field, n, s, low, high)
  if layout_hash(field) % n < s then return high end
  return low
end

-- For scripts about one record: KEYS[i] its bucket at the assumed modulus, the last two keys the bucket at twice that
-- modulus and the layout, the last argument the assumed modulus. Replaces KEYS[i] by the record's bucket.
local function layout_one(field, i)
  local n, s = layout_of(KEYS[#KEYS], ARGV[#ARGV])
  KEYS[i] = layout_pick(field, n, s, KEYS[i], KEYS[#KEYS - 1])
end
