-- Failing sign-ins for unknown accounts, each from an address of its own
-- (X-Forwarded-For, believed because the bench trusts 127.0.0.1 as a
-- proxy): a spread-out guessing attack that no per-address or per-account
-- limit stops, so every request costs an Argon2 check.
local n = 0
-- STORM_DELAY_MS: each connection waits this long between sign-ins (0:
-- back to back, a flood of whatever the server answers fastest).
local pause = tonumber(os.getenv("STORM_DELAY_MS") or "0")
function delay()
  return pause
end
request = function()
  n = n + 1
  local ip = string.format("10.%d.%d.%d", math.random(0, 255), math.random(0, 255), math.random(1, 254))
  local body = string.format('{"email":"robot-%d-%d@example.net","password":"mauvais mot de passe"}',
    math.random(1, 1000000000), n)
  return wrk.format("POST", "/api/v1/auth/login",
    { ["Content-Type"] = "application/json", ["X-Forwarded-For"] = ip }, body)
end
