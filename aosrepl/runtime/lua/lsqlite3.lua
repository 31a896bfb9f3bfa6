-- lsqlite3.lua: LuaSQLite3's API (what `require("lsqlite3")` gives in aos-sqlite processes) over `core`,
-- the host's plain-value functions that keep this process's in-memory databases by handle.
-- Result codes are returned, not raised, where lsqlite3 returns them (exec, step, reset, finalize, bind*);
-- the row iterators raise the SQLite message as lsqlite3 does. Column indexes are 0-based, bind indexes 1-based.
local core, constants = ...

local type, select, error, tostring, setmetatable = type, select, error, tostring, setmetatable
local getmetatable, pairs, ipairs = getmetatable, pairs, ipairs
local pack, unpack, format = table.pack, table.unpack, string.format
local math_type = math.type
local os = os      -- os.time() is the time of the message being handled: SQLite's 'now'

local function now()
  local ok, t = pcall(os.time)
  return ok and math_type(t) and t or 0
end

local OK, ROW, DONE, ABORT, MISUSE = constants.OK, constants.ROW, constants.DONE, constants.ABORT, constants.MISUSE
local INTERRUPT = constants.INTERRUPT

-- A statement stopped because the message was interrupted ends the message, as a Lua loop would.
local function step_result(r)
  local code = type(r) == "table" and r.c or r
  if code == INTERRUPT and core.interrupted() then error("Interrupted", 0) end
  return r
end

local sqlite3 = {}
for name, value in pairs(constants) do sqlite3[name] = value end

local Db = {}
Db.__index = Db
Db.__name = "sqlite database"
local Stmt = {}
Stmt.__index = Stmt
Stmt.__name = "sqlite statement"

local function new_db(handle)
  return setmetatable({ _h = handle }, Db)
end

function Db.__tostring(db)
  return format("sqlite database (%s)", db._closed and "closed" or tostring(db._h))
end

function Stmt.__tostring(stmt)
  return format("sqlite statement (%s)", stmt._closed and "closed" or tostring(stmt._h))
end

local function check_db(db)
  if getmetatable(db) ~= Db then error("bad argument #1 (sqlite database expected)", 3) end
  if db._closed then error("attempt to use closed sqlite database", 3) end
  return db._h
end

local function check_stmt(stmt)
  if getmetatable(stmt) ~= Stmt then error("bad argument #1 (sqlite statement expected)", 3) end
  if stmt._closed then error("attempt to use closed sqlite statement", 3) end
  return stmt._h
end

-- Lua values SQLite can store; booleans are stored as 1/0 (lsqlite3 does the same).
local function bindable(index, value)
  local kind = type(value)
  if kind == "boolean" then return value and 1 or 0 end
  if kind == "nil" or kind == "number" or kind == "string" then return value end
  error(format("index (%d) - invalid data type for bind (%s)", index, kind), 3)
end

-- library -------------------------------------------------------------------------------------------

function sqlite3.version() return core.version() end
function sqlite3.lversion() return "unknown" end   -- what the lsqlite3 vendored in AO builds reports
function sqlite3.complete(sql) return core.complete(sql) end

function sqlite3.open_memory()
  return new_db(core.open_memory())
end

-- A process has no files: only ":memory:" opens (anything else fails as SQLite would, with a reason).
function sqlite3.open(filename)
  if filename == ":memory:" then return sqlite3.open_memory() end
  return nil, constants.CANTOPEN,
    "unable to open database file: a process has no files (use sqlite3.open_memory())"
end

function sqlite3.temp_directory()
  error("sqlite3.temp_directory is not available in a process", 2)
end

-- databases -----------------------------------------------------------------------------------------

function Db:isopen() return not self._closed and core.db_isopen(self._h) end

function Db:close()
  if self._closed then return OK end
  local code = core.db_close(self._h)
  self._closed = true
  return code
end
Db.close_vm = function() return OK end

function Db:errcode() return core.db_errcode(check_db(self)) end
Db.error_code = Db.errcode
function Db:errmsg() return core.db_errmsg(check_db(self)) end
Db.error_message = Db.errmsg
function Db:changes() return core.db_changes(check_db(self)) end
function Db:total_changes() return core.db_total_changes(check_db(self)) end
function Db:last_insert_rowid() return core.db_last_insert_rowid(check_db(self)) end
function Db:db_filename() check_db(self); return "" end
function Db:busy_timeout() check_db(self); return OK end
function Db:interrupt() check_db(self) end

local function prepare(db, sql)
  local h = check_db(db)
  if type(sql) ~= "string" then error("bad argument #1 to 'prepare' (string expected, got " .. type(sql) .. ")", 3) end
  local r = core.db_prepare(h, sql)
  if r.h == 0 then return nil, r.code, r.tail end
  return setmetatable({ _h = r.h, _db = db }, Stmt), r.code, r.tail
end

-- stmt, tail  |  nil, errcode (read db:errmsg())
function Db:prepare(sql)
  local stmt, code, tail = prepare(self, sql)
  if stmt then return stmt, tail end
  if code == OK then
    return nil, MISUSE     -- no statement in the text
  end
  return nil, code
end

local function exec_strings(row, n)
  local values = {}
  for i = 1, n do
    local v = row[i]
    if v ~= nil then values[i] = tostring(v) end
  end
  return values
end

-- Runs every statement in `sql`; with `callback`, it is called for each row as
-- callback(udata, ncols, values, names) (values as strings, NULL as nil); a non-zero return aborts.
function Db:exec(sql, callback, udata)
  check_db(self)
  local rest = sql
  while rest and rest ~= "" do
    local stmt, code, tail = prepare(self, rest)
    if not stmt then
      if code ~= OK then return code end
      rest = tail
    else
      local names
      while true do
        local r = step_result(core.st_next(stmt._h, now()))
        if r.c == ROW then
          if callback then
            names = names or core.st_names(stmt._h)
            local stop = callback(udata, #names, exec_strings(r.r, #names), names)
            if stop ~= nil and stop ~= 0 then
              stmt:finalize()
              return ABORT
            end
          end
        elseif r.c == DONE then
          break
        else
          stmt:finalize()
          return r.c
        end
      end
      stmt:finalize()
      rest = tail
    end
  end
  return OK
end
Db.execute = Db.exec

function Db:load_extension()
  error("extensions cannot be loaded in a process", 2)
end

for _, name in ipairs({ "create_function", "create_aggregate", "create_collation", "trace", "progress_handler",
                        "busy_handler", "update_hook", "commit_hook", "rollback_hook", "get_ptr" }) do
  Db[name] = function() error("db:" .. name .. " is not available in this process", 2) end
end

-- rows --------------------------------------------------------------------------------------------

local function names_of(stmt)
  local names = stmt._names
  if not names then
    names = core.st_names(stmt._h)
    if #names > 0 then stmt._names = names end   -- a statement that has not run may not know them yet
  end
  return names
end

local shapes = {
  rows = function(stmt, row)
    return row
  end,
  nrows = function(stmt, row)
    local names, named = names_of(stmt), {}
    for i = 1, #names do named[names[i]] = row[i] end
    return named
  end,
  urows = function(stmt, row)
    return unpack(row, 1, #names_of(stmt))
  end,
}

-- The iterator over a statement's remaining rows; `owned` statements (from db:rows etc.) are finalized
-- at the end, a user's statement is reset so it can be run again.
local function iterate(stmt, shape, owned)
  local h = stmt._h
  return function()
    if stmt._closed then return nil end
    local r = step_result(core.st_next(h, now()))
    if r.c == ROW then return shape(stmt, r.r or {}) end
    local message = r.c ~= DONE and core.db_errmsg(stmt._db._h) or nil
    if owned then stmt:finalize() else core.st_reset(h) end
    if message then error(message, 0) end
    return nil
  end
end

local OWNED_KEEP = 256   -- statements of db:rows/nrows/urows loops kept open per database

local function db_rows(kind)
  return function(db, sql, ...)
    local stmt, code = prepare(db, sql)
    if not stmt then
      if code == OK then return function() return nil end end
      error(core.db_errmsg(db._h), 0)
    end
    local n = select("#", ...)
    if n > 0 then
      local wanted = stmt:bind_parameter_count()
      if n == 1 and type((...)) == "table" then
        stmt:bind_names((...))
      elseif n == wanted then
        stmt:bind_values(...)
      else
        stmt:finalize()
        error(format("Required either %d parameters or a single table, got %d.", wanted, n), 2)
      end
    end
    -- a loop that stops early leaves its statement open: the oldest of many such is closed
    local owned = db._owned or {}
    db._owned = owned
    owned[#owned + 1] = stmt
    if #owned > OWNED_KEEP then table.remove(owned, 1):finalize() end
    return iterate(stmt, shapes[kind], true)
  end
end
Db.rows = db_rows("rows")
Db.nrows = db_rows("nrows")
Db.urows = db_rows("urows")

-- statements --------------------------------------------------------------------------------------

function Stmt:isopen() return not self._closed and core.st_isopen(self._h) end

function Stmt:step()
  local code = step_result(core.st_step(check_stmt(self), now()))
  self._names = nil
  return code
end

function Stmt:reset() return core.st_reset(check_stmt(self)) end

function Stmt:finalize()
  if self._closed then return OK end
  local code = core.st_finalize(self._h)
  self._closed = true
  return code
end

function Stmt:bind(index, value)
  local h = check_stmt(self)
  if math_type(index) ~= "integer" then error("bad argument #1 to 'bind' (integer expected)", 2) end
  return core.st_bind(h, index, bindable(index, value))
end

function Stmt:bind_blob(index, value)
  if type(value) ~= "string" then error("bad argument #2 to 'bind_blob' (string expected)", 2) end
  return self:bind(index, value)
end

function Stmt:bind_values(...)
  local h = check_stmt(self)
  local values = pack(...)
  for i = 1, values.n do values[i] = bindable(i, values[i]) end
  return core.st_bind_values(h, values, values.n)
end

function Stmt:bind_names(t)
  local h = check_stmt(self)
  if type(t) ~= "table" then error("bad argument #1 to 'bind_names' (table expected)", 2) end
  local plain = {}
  for k, v in pairs(t) do
    if type(k) == "string" or math_type(k) == "integer" then plain[k] = bindable(0, v) end
  end
  return core.st_bind_names(h, plain)
end

function Stmt:bind_parameter_count() return core.st_param_count(check_stmt(self)) end
function Stmt:bind_parameter_name(n) return core.st_param_name(check_stmt(self), n) end

function Stmt:columns() check_stmt(self); return #names_of(self) end

local function column(stmt, i)
  local n = #names_of(stmt)
  if math_type(i) ~= "integer" or i < 0 or i >= n then
    error(format("index out of range [0..%d]", n - 1), 3)
  end
  return i + 1
end

function Stmt:get_value(i)
  local h = check_stmt(self)
  local row = core.st_row(h) or {}
  return row[column(self, i)]
end

function Stmt:get_name(i)
  check_stmt(self)
  return names_of(self)[column(self, i)]
end

function Stmt:get_values()
  local row = core.st_row(check_stmt(self)) or {}
  local out = {}
  for i = 1, #names_of(self) do out[i] = row[i] end
  return out
end

function Stmt:get_uvalues()
  local row = core.st_row(check_stmt(self)) or {}
  return unpack(row, 1, #names_of(self))
end

function Stmt:get_names()
  check_stmt(self)
  local out = {}
  for i, name in ipairs(names_of(self)) do out[i] = name end
  return out
end

function Stmt:get_unames()
  check_stmt(self)
  return unpack(names_of(self))
end

function Stmt:get_named_values()
  local row = core.st_row(check_stmt(self)) or {}
  local out = {}
  for i, name in ipairs(names_of(self)) do out[name] = row[i] end
  return out
end

function Stmt:last_insert_rowid()
  check_stmt(self)
  return self._db:last_insert_rowid()
end

function Stmt:rows() check_stmt(self); return iterate(self, shapes.rows, false) end
function Stmt:nrows() check_stmt(self); return iterate(self, shapes.nrows, false) end
function Stmt:urows() check_stmt(self); return iterate(self, shapes.urows, false) end

Stmt.idata = Stmt.get_values
Stmt.inames = Stmt.get_names
Stmt.data = Stmt.get_values

return sqlite3
