-- Links ONE record to the other hashes of its media item: adds signal ids to its links set while it holds fewer than
-- the most a record keeps, so a record's links stay bounded whatever members send.
-- KEYS[1] the record's links set 'ln:'
-- ARGV[1] most links kept, ARGV[2..] signal ids to link
-- Returns how many links the record holds.
local max = tonumber(ARGV[1])
for i = 2, #ARGV do
  if redis.call('SCARD', KEYS[1]) >= max then break end
  redis.call('SADD', KEYS[1], ARGV[i])
end
return redis.call('SCARD', KEYS[1])
