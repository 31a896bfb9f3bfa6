-- compat.lua: the parts of Lua's standard library that reach the file system or the OS, as an
-- AO process sees them. AO's WebAssembly machine has no usable files, shell or locale: the
-- functions exist and fail (or answer) the way they do there, without touching the host.
-- Runs once, right after sandbox.lua. Errors are raised at the caller's level, as Lua's own
-- C functions raise them.

-- AO reports whatever errno the machine last set; "Invalid argument" is what it says most
local NOFILE_TEXT, NOFILE = "Invalid argument", 28
local ENOSYS_TEXT, ENOSYS = "Function not implemented", 52
local ENOENT_TEXT, ENOENT = "No such file or directory", 44

-- Emscripten's default environment, which AO processes see.
local ENVIRONMENT = {
  HOME = "/home/web_user", PATH = "/", PWD = "/", USER = "web_user", LOGNAME = "web_user",
  LANG = "C.UTF-8",
}

-- An argument error worded as Lua's C functions word it: the name the caller used
-- ('open'), or the qualified one ('io.open') when called from C such as pcall.
local function check_string(qualified, n, value)
  if type(value) ~= "string" and type(value) ~= "number" then
    local info = debug.getinfo(2, "n")   -- the library function, as its caller named it
    error("bad argument #" .. n .. " to '" .. (info and info.name or qualified) .. "' (string expected, got "
      .. (value == nil and "no value" or type(value)) .. ")", 3)
  end
end

-- Files ---------------------------------------------------------------------------------

-- The three standard streams: stdin is empty, what is written to stdout/stderr goes nowhere
-- (in AO it goes to the machine's log, never into a message result).
local file_methods = {}
local file_meta = { __index = file_methods, __name = "FILE*" }
local function new_file(address, closed)
  local f = setmetatable({}, file_meta)
  rawset(f, 0, { address = address, closed = closed })   -- state kept out of the method names
  return f
end
file_meta.__tostring = function(f)
  local state = rawget(f, 0)
  if state.closed then return "file (closed)" end
  return string.format("file (0x%x)", state.address)
end
function file_methods.write(f) return f end
function file_methods.read() return nil end
function file_methods.lines() return function() return nil end end
function file_methods.flush(f) return f end
function file_methods.close() return true end
function file_methods.seek() return nil, "Illegal seek", 70 end
function file_methods.setvbuf() return true end

local stdin, stdout, stderr = new_file(0x57ec0), new_file(0x57fa8), new_file(0x57dd0)

io = {
  stdin = stdin, stdout = stdout, stderr = stderr,
  write = function() return stdout end,
  read = function() return nil end,
  flush = function() return stdout end,
  close = function() return nil end,
  input = function(f)
    if type(f) == "string" then error("cannot open file '" .. f .. "' (" .. NOFILE_TEXT .. ")", 2) end
    return stdin
  end,
  output = function(f)
    if type(f) == "string" then error("cannot open file '" .. f .. "' (" .. NOFILE_TEXT .. ")", 2) end
    return stdout
  end,
  open = function(path, mode)
    check_string("io.open", 1, path)
    return nil, path .. ": " .. NOFILE_TEXT, NOFILE
  end,
  lines = function(path)
    if path == nil then return function() return nil end end
    check_string("io.lines", 1, path)
    error("cannot open file '" .. path .. "' (" .. NOFILE_TEXT .. ")", 2)
  end,
  popen = function() error("'popen' not supported", 2) end,
  tmpfile = function() return nil, NOFILE_TEXT, NOFILE end,
  type = function(x)
    if getmetatable(x) ~= file_meta then return nil end
    return rawget(x, 0).closed and "closed file" or "file"
  end,
}
package.loaded.io = io

-- loadfile(path) fails as opening any file does in AO; without a path it reads the (empty) stdin.
function loadfile(path, mode, env)
  if path == nil then
    if env == nil then return load("", "=stdin") end
    return load("", "=stdin", "t", env)
  end
  check_string("loadfile", 1, path)
  return nil, "cannot open " .. path .. ": " .. NOFILE_TEXT
end

function dofile(path)
  if path == nil then return end
  check_string("dofile", 1, path)
  error("cannot open " .. path .. ": " .. NOFILE_TEXT, 2)
end

-- The OS ------------------------------------------------------------------------------

function os.getenv(name)
  check_string("os.getenv", 1, name)
  return ENVIRONMENT[name]
end

function os.remove(path)
  check_string("os.remove", 1, path)
  return nil, path .. ": " .. ENOENT_TEXT, ENOENT
end

function os.rename(from, to)
  check_string("os.rename", 1, from)
  check_string("os.rename", 2, to)
  return nil, ENOENT_TEXT, ENOENT
end

-- a name under /tmp drawn from the process's (deterministic) random numbers
function os.tmpname()
  local letters = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
  local name = {}
  for i = 1, 6 do
    local k = math.random(1, #letters)
    name[i] = letters:sub(k, k)
  end
  return "/tmp/tmpnam_" .. table.concat(name)
end

-- there is no shell
function os.execute(command)
  if command == nil then return false end
  return nil, ENOSYS_TEXT, ENOSYS
end

-- only the C locale exists
function os.setlocale(locale)
  if locale == nil or locale == "" or locale == "C" or locale == "POSIX" then return "C" end
  return nil
end

-- leaving would end the machine; a process cannot do that
function os.exit()
  error("os.exit is not available in a process", 2)
end
