-- bit32: Lua 5.2's 32-bit operations, which aos's Lua 5.3 build still offers (and `.crypto`
-- needs). Arguments are taken modulo 2^32; results are unsigned 32-bit integers.
local bit32 = {}

local M = 0xffffffff

local function u32(x, position, fname)
  local n = math.tointeger(x)
  if n == nil then
    if type(x) == "number" then
      error("bad argument #" .. position .. " to '" .. fname .. "' (number has no integer representation)", 3)
    end
    error("bad argument #" .. position .. " to '" .. fname .. "' (number expected, got "
      .. (x == nil and "no value" or type(x)) .. ")", 3)
  end
  return n & M
end

local function fold(fname, start, op)
  return function(...)
    local r = start
    for i = 1, select("#", ...) do r = op(r, u32(select(i, ...), i, fname)) end
    return r
  end
end

bit32.band = fold("band", M, function(a, b) return a & b end)
bit32.bor = fold("bor", 0, function(a, b) return a | b end)
bit32.bxor = fold("bxor", 0, function(a, b) return a ~ b end)

function bit32.btest(...) return bit32.band(...) ~= 0 end
function bit32.bnot(x) return (~u32(x, 1, "bnot")) & M end

local function shift(x, disp)
  if disp <= -32 or disp >= 32 then return 0 end
  if disp >= 0 then return (x << disp) & M end
  return x >> -disp
end

function bit32.lshift(x, disp) return shift(u32(x, 1, "lshift"), math.tointeger(disp)) end
function bit32.rshift(x, disp) return shift(u32(x, 1, "rshift"), -math.tointeger(disp)) end

function bit32.arshift(x, disp)
  x = u32(x, 1, "arshift")
  disp = math.tointeger(disp)
  if disp < 0 or x & 0x80000000 == 0 then return shift(x, -disp) end
  if disp >= 32 then return M end
  return ((x >> disp) | (M << (32 - disp))) & M
end

function bit32.lrotate(x, disp)
  x = u32(x, 1, "lrotate")
  disp = math.tointeger(disp) % 32
  return ((x << disp) | (x >> (32 - disp))) & M
end

function bit32.rrotate(x, disp) return bit32.lrotate(x, -math.tointeger(disp)) end

local function field_args(fname, field, width)
  field = math.tointeger(field)
  width = math.tointeger(width or 1)
  if field < 0 then error("bad argument #2 to '" .. fname .. "' (field cannot be negative)", 3) end
  if width <= 0 then error("bad argument #3 to '" .. fname .. "' (width must be positive)", 3) end
  if field + width > 32 then error("trying to access non-existent bits", 3) end
  return field, width
end

function bit32.extract(n, field, width)
  n = u32(n, 1, "extract")
  field, width = field_args("extract", field, width)
  return (n >> field) & ((1 << width) - 1)
end

function bit32.replace(n, v, field, width)
  n, v = u32(n, 1, "replace"), u32(v, 2, "replace")
  field, width = field_args("replace", field, width)
  local mask = (1 << width) - 1
  return ((n & ~(mask << field)) | ((v & mask) << field)) & M
end

return bit32
