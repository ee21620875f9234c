-- A token request whose secret was right: gives back the attempt token_reserve.lua charged to each limit and, when
-- asked, remembers the source as known for the client id (renewing it).
-- KEYS[1..n] the charged limits (GCRA cells), KEYS[n+1] the known-source marker when ARGV[2] > 0; one hash tag.
-- ARGV[1] now (ms), ARGV[2] known-source retention (ms, 0: do not mark), then ARGV[2+i] interval T (ms) of limit i.
local now, retention = tonumber(ARGV[1]), tonumber(ARGV[2])
local limits = #KEYS
if retention > 0 then limits = limits - 1 end
for i = 1, limits do
  local tat = tonumber(redis.call('GET', KEYS[i]))
  if tat then
    local back = tat - tonumber(ARGV[2 + i])
    if back > now then
      redis.call('SET', KEYS[i], string.format('%d', back), 'PX', back - now)
    else
      redis.call('DEL', KEYS[i])
    end
  end
end
if retention > 0 then
  redis.call('SET', KEYS[#KEYS], '1', 'PX', retention)
end
return 0
