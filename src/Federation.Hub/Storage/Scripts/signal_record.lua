-- The packed signal record, shared by every signal_*.lua script: SignalStore prepends this file to each of them.
-- Layout (decoder and byte offsets: SignalRecordCodec.cs): struct.pack('<BI4I4I4I4I4I4BHHHH', status, version,
-- categories, first seen, last seen, expires at, inline member, PDQ quality, extra count, confirmed, disputed,
-- false positive) with its trailing zero bytes removed: 34 bytes at most, 22 for a typical record (one contributor
-- with a member number below 256, no quality, no opinions). Never empty: status is 1-3.
-- Inline member ~= 0 means exactly one contributor whose categories are the record's; the corroboration count is
-- then 1 and 'extra count' is stored as 0. Inline member = 0: the count is 'extra count' (contributors in 'c:').
-- A 38-byte record of the first layout ('<BBI4I4I4I4I4HHHHI4I4', its last field the inline member's categories,
-- always equal to the record's) is still read, and rewritten in this layout by the next change.
local REC = '<BI4I4I4I4I4I4BHHHH'
local REC_FULL = 34
local REC_V1 = '<BBI4I4I4I4I4HHHHI4I4'

-- Returns status, quality, version, categories, first, last, expires, count, confirmed, disputed, false positive, inline member.
local function rec_unpack(packed)
  if #packed == 38 then
    local st, q, ver, cats, first, last, exp, cnt, c1, c2, c3, m1 = struct.unpack(REC_V1, packed)
    return st, q, ver, cats, first, last, exp, cnt, c1, c2, c3, m1
  end
  local st, ver, cats, first, last, exp, m1, q, cnt, c1, c2, c3 = struct.unpack(REC, packed .. string.rep('\0', REC_FULL - #packed))
  if m1 ~= 0 then cnt = 1 end
  return st, q, ver, cats, first, last, exp, cnt, c1, c2, c3, m1
end

local function rec_pack(st, q, ver, cats, first, last, exp, cnt, c1, c2, c3, m1)
  if m1 ~= 0 then cnt = 0 end
  return (string.gsub(struct.pack(REC, st, ver, cats, first, last, exp, m1, q, cnt, c1, c2, c3), '%z+$', ''))
end

