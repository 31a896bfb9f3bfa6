-- @rakis/DbAdmin: a helper over an lsqlite3 database (see README.md). Written for aosrepl from the
-- package's documented API: new, tables, count, exec, select, apply.
local DbAdmin = {}
DbAdmin.__index = DbAdmin

function DbAdmin.new(db)
  assert(db ~= nil, "DbAdmin.new needs an lsqlite3 database (sqlite3.open_memory())")
  return setmetatable({ db = db }, DbAdmin)
end

local function rows_of(iterator)
  local rows = {}
  for row in iterator do rows[#rows + 1] = row end
  return rows
end

function DbAdmin:tables()
  local names = {}
  for row in self.db:nrows("SELECT name FROM sqlite_master WHERE type='table';") do
    names[#names + 1] = row.name
  end
  return names
end

function DbAdmin:count(tableName)
  for row in self.db:nrows(string.format("SELECT COUNT(*) AS count FROM %s;", tableName)) do
    return row.count
  end
end

function DbAdmin:exec(sql)
  return rows_of(self.db:nrows(sql))
end

local function prepared(self, sql, values)
  assert(type(sql) == "string", "SQL MUST be a String")
  assert(type(values) == "table", "values MUST be an array of values")
  local stmt = self.db:prepare(sql)
  if not stmt then error("Failed to prepare statement: " .. self.db:errmsg(), 3) end
  stmt:bind_values(table.unpack(values, 1, #values))
  return stmt
end

function DbAdmin:select(sql, values)
  local stmt = prepared(self, sql, values)
  local rows = rows_of(stmt:nrows())
  stmt:finalize()
  return rows
end

function DbAdmin:apply(sql, values)
  local stmt = prepared(self, sql, values)
  local code = stmt:step()
  local message = self.db:errmsg()
  stmt:finalize()
  if code ~= 101 then   -- sqlite3.DONE
    error(sql .. " statement failed because " .. message, 2)
  end
end

return DbAdmin
