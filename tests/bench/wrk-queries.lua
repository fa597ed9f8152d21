-- random player of a 10M board seeded as p0..p9999999; the path per request
math.randomseed(42)
wrk.headers["Authorization"] = "Bearer dev-admin-key"
local kind = os.getenv("KIND") or "rank"
request = function()
  local p = math.random(0, 9999999)
  if kind == "around" then
    return wrk.format("GET", "/v1/leaderboards/big10m/players/p" .. p .. "/around?above=10&below=10")
  elseif kind == "top" then
    return wrk.format("GET", "/v1/leaderboards/big10m/top?limit=100")
  end
  return wrk.format("GET", "/v1/leaderboards/big10m/players/p" .. p)
end
