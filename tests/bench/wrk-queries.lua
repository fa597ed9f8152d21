-- Random player of a board seeded as p0..p{PLAYERS-1} (LoadGen seed); the path per request.
-- Env: KIND=rank|top|around (default rank), BOARD (default big10m), PLAYERS (default 10000000),
-- KEY (default the development key dev-admin-key).
math.randomseed(42)
wrk.headers["Authorization"] = "Bearer " .. (os.getenv("KEY") or "dev-admin-key")
local kind = os.getenv("KIND") or "rank"
local board = os.getenv("BOARD") or "big10m"
local players = tonumber(os.getenv("PLAYERS") or "10000000")
local prefix = "/v1/leaderboards/" .. board
request = function()
  local p = math.random(0, players - 1)
  if kind == "around" then
    return wrk.format("GET", prefix .. "/players/p" .. p .. "/around?above=10&below=10")
  elseif kind == "top" then
    return wrk.format("GET", prefix .. "/top?limit=100")
  end
  return wrk.format("GET", prefix .. "/players/p" .. p)
end
