-- Single-score ingest with wrk, a lighter client than the C# load generator: on the 2-core
-- machine wrk spent ~15 µs of CPU per request (user + system, /usr/bin/time), the generator ~56 µs,
-- on the same cores as the server it measures.
-- Each request: a random player of p0..p{PLAYERS-1}, a random score, a submission id unique per
-- wrk thread and request (so the server does its idempotency work, as with the load generator).
-- Env: BOARD (default loadtest; create it first, e.g. with one LoadGen run or PUT), PLAYERS
-- (default 1000000), KEY (default the development key dev-admin-key).
-- Every answer must be 200: wrk counts non-2xx answers, and any makes the run invalid.
local counter = 0
id = "main"
seed = 0
setup = function(thread)
  counter = counter + 1
  thread:set("id", "t" .. counter)
  thread:set("seed", counter)
end
init = function(args)
  -- Each thread its own sequence of players (the same seed would send the same players twice).
  math.randomseed(os.time() * 100 + seed)
  wrk.method = "POST"
  wrk.headers["Authorization"] = "Bearer " .. (os.getenv("KEY") or "dev-admin-key")
  wrk.headers["Content-Type"] = "application/json"
  wrk.path = "/v1/leaderboards/" .. (os.getenv("BOARD") or "loadtest") .. "/scores"
end
local players = tonumber(os.getenv("PLAYERS") or "1000000")
local n = 0
request = function()
  n = n + 1
  local body = string.format('{"playerId":"p%d","score":%d,"submissionId":"wrk-%s-%d-%d"}',
    math.random(0, players - 1), math.random(0, 1000000000), id, os.time(), n)
  return wrk.format(nil, nil, nil, body)
end
