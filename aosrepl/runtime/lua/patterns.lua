-- patterns.lua: string.find / match / gmatch / gsub whose work can always be stopped.
--
-- Lua's C pattern matcher never reaches the instruction hook, and some patterns take time
-- polynomial or exponential in the subject length (string.rep("a", 20000):find(".-.-.-.-b")):
-- no budget and no interrupt could stop them. So each call's worst case is estimated from
-- the pattern and the subject length. A call whose worst case is small runs in C as before;
-- any other runs in the matcher below, written in Lua, where every step counts against the
-- message's budget and the interrupt is polled. Both give Lua 5.3.6's results and errors
-- (tests/runtime/test_patterns.py compares them on thousands of generated cases).
local C = { find = string.find, match = string.match, gmatch = string.gmatch, gsub = string.gsub }
local byte, sub, char = string.byte, string.sub, string.char
local type, error, tostring, tointeger = type, error, tostring, math.tointeger
local concat, unpack, huge, format = table.concat, table.unpack, math.huge, string.format

-- Worst-case steps a C call may take (about 0.1 s); above it the Lua matcher runs.
local C_STEP_LIMIT = 2e7
local MAXCCALLS = 200          -- recursion depth of one match ("pattern too complex")
local MAXCAPTURES = 32
local CAP_UNFINISHED, CAP_POSITION = -1, -2
local ESC, LBRACKET, RBRACKET, CARET = 37, 91, 93, 94   -- % [ ] ^

-- Errors of the matcher carry this marker until `run` re-raises them at the caller's
-- position (where Lua's C functions report them); any other error passes unchanged.
local PATTERN_ERROR = {}
local function fail(text) error({ PATTERN_ERROR, text }, 0) end

local pcall = pcall
local function finish(ok, ...)
  if ok then return ... end
  local e = ...
  if type(e) == "table" and e[1] == PATTERN_ERROR then error(e[2], 2) end
  if type(e) == "string" then
    -- an error of a C string function called from this file names this file's position
    local text = C.match(e, "^patterns:%d+: (.*)$")
    if text then error(text, 2) end
  end
  error(e, 0)
end
-- Call f(...) as the user's string function would: errors are raised at the caller's
-- position, as Lua's C functions raise them. Every call on the way from the user's code is
-- a tail call, so the caller is level 2 (a difference remains: when the user's own call is
-- a tail call, the position named is its caller's).
local function run(f, ...) return finish(pcall(f, ...)) end

-- the C functions, called so that an argument error names them as Lua does ('find')
local c_call = {
  find = function(...) return C.find(...) end,
  match = function(...) return C.match(...) end,
  gmatch = function(...) return C.gmatch(...) end,
  gsub = function(...) return C.gsub(...) end,
}

-- Character classes of the C locale, as 256-entry lookup tables.
local classes = {}
do
  local function set(name, test)
    local t = {}
    for c = 0, 255 do t[c] = test(c) end
    classes[name] = t
  end
  local function alpha(c) return (c >= 65 and c <= 90) or (c >= 97 and c <= 122) end
  local function digit(c) return c >= 48 and c <= 57 end
  set(97, alpha)                                                            -- a
  set(99, function(c) return c < 32 or c == 127 end)                        -- c
  set(100, digit)                                                           -- d
  set(103, function(c) return c >= 33 and c <= 126 end)                     -- g
  set(108, function(c) return c >= 97 and c <= 122 end)                     -- l
  set(112, function(c) return c >= 33 and c <= 126 and not alpha(c) and not digit(c) end)  -- p
  set(115, function(c) return (c >= 9 and c <= 13) or c == 32 end)          -- s
  set(117, function(c) return c >= 65 and c <= 90 end)                      -- u
  set(119, function(c) return alpha(c) or digit(c) end)                     -- w
  set(120, function(c) return digit(c) or (c >= 97 and c <= 102) or (c >= 65 and c <= 70) end)  -- x
  set(122, function(c) return c == 0 end)                                   -- z
end

local function match_class(c, cl)
  local lower = (cl >= 65 and cl <= 90) and cl + 32 or cl
  local t = classes[lower]
  if not t then return cl == c end
  if lower == cl then return t[c] end
  return not t[c]
end

-- A matcher over one subject and one pattern; positions are 1-based, an end position is
-- the index just past the match.
local function new_matcher(src, pat)
  local slen, plen = #src, #pat
  local level, depth = 0, MAXCCALLS
  local cap_init, cap_len = {}, {}
  local do_match

  local function class_end(pi)
    local c = byte(pat, pi)
    pi = pi + 1
    if c == ESC then
      if pi > plen then fail("malformed pattern (ends with '%')") end
      return pi + 1
    elseif c == LBRACKET then
      if byte(pat, pi) == CARET then pi = pi + 1 end
      repeat
        if pi > plen then fail("malformed pattern (missing ']')") end
        local cc = byte(pat, pi)
        pi = pi + 1
        if cc == ESC and pi <= plen then pi = pi + 1 end
      until byte(pat, pi) == RBRACKET
      return pi + 1
    end
    return pi
  end

  local function bracket_class(c, pi, ec)
    local sig = true
    if byte(pat, pi + 1) == CARET then
      sig = false
      pi = pi + 1
    end
    pi = pi + 1
    while pi < ec do
      local pc = byte(pat, pi)
      if pc == ESC then
        if match_class(c, byte(pat, pi + 1) or 0) then return sig end
        pi = pi + 2
      elseif byte(pat, pi + 1) == 45 and pi + 2 < ec then
        if pc <= c and c <= byte(pat, pi + 2) then return sig end
        pi = pi + 3
      else
        if pc == c then return sig end
        pi = pi + 1
      end
    end
    return not sig
  end

  local function single_match(si, pi, ep)
    if si > slen then return false end
    local c, pc = byte(src, si), byte(pat, pi)
    if pc == 46 then return true end
    if pc == ESC then return match_class(c, byte(pat, pi + 1)) end
    if pc == LBRACKET then return bracket_class(c, pi, ep - 1) end
    return pc == c
  end

  local function match_balance(si, pi)
    if pi + 1 > plen then fail("malformed pattern (missing arguments to '%b')") end
    local open, close = byte(pat, pi), byte(pat, pi + 1)
    if (byte(src, si) or 0) ~= open then return nil end
    local count = 1
    si = si + 1
    while si <= slen do
      local c = byte(src, si)
      if c == close then
        count = count - 1
        if count == 0 then return si + 1 end
      elseif c == open then
        count = count + 1
      end
      si = si + 1
    end
    return nil
  end

  -- the C pattern for the single-character class at pi (its work is linear: no repetition
  -- can backtrack), so runs and candidate starts are found in C
  local item_patterns, run_patterns = {}, {}
  local function item_pattern(pi, ep)
    local item = item_patterns[pi]
    if item == nil then
      local c = byte(pat, pi)
      if c == ESC or c == LBRACKET then
        item = sub(pat, pi, ep - 1)
      elseif (c >= 48 and c <= 57) or (c >= 65 and c <= 90) or (c >= 97 and c <= 122) then
        item = char(c)
      else
        item = "%" .. char(c)
      end
      item_patterns[pi] = item
    end
    return item
  end

  local function max_expand(si, pi, ep)
    local i = 0
    if byte(pat, pi) == 46 then
      i = slen - si + 1
      if i < 0 then i = 0 end
    elseif si <= slen then
      local run = run_patterns[pi]
      if not run then
        run = "^" .. item_pattern(pi, ep) .. "*"
        run_patterns[pi] = run
      end
      local _, last = C.find(src, run, si)
      i = last - si + 1
    end
    while i >= 0 do
      local res = do_match(si + i, ep + 1)
      if res then return res end
      i = i - 1
    end
    return nil
  end

  local function min_expand(si, pi, ep)
    while true do
      local res = do_match(si, ep + 1)
      if res then return res end
      if single_match(si, pi, ep) then si = si + 1 else return nil end
    end
  end

  local function start_capture(si, pi, what)
    if level >= MAXCAPTURES then fail("too many captures") end
    level = level + 1
    cap_init[level], cap_len[level] = si, what
    local res = do_match(si, pi)
    if not res then level = level - 1 end
    return res
  end

  local function end_capture(si, pi)
    local l = level
    while l >= 1 and cap_len[l] ~= CAP_UNFINISHED do l = l - 1 end
    if l < 1 then fail("invalid pattern capture") end
    cap_len[l] = si - cap_init[l]
    local res = do_match(si, pi)
    if not res then cap_len[l] = CAP_UNFINISHED end
    return res
  end

  local function match_capture(si, d)
    local l = d - 48     -- '1' -> 1
    if l < 1 or l > level or cap_len[l] == CAP_UNFINISHED then
      fail(format("invalid capture index %%%d", l))
    end
    local n = cap_len[l]
    if n < 0 then return nil end
    if slen - si + 1 >= n and sub(src, cap_init[l], cap_init[l] + n - 1) == sub(src, si, si + n - 1) then
      return si + n
    end
    return nil
  end

  do_match = function(si, pi)
    if depth == 0 then fail("pattern too complex") end
    depth = depth - 1
    while pi <= plen do
      local pc = byte(pat, pi)
      local next_pc = byte(pat, pi + 1)
      if pc == 40 then                                   -- (
        if next_pc == 41 then si = start_capture(si, pi + 2, CAP_POSITION)
        else si = start_capture(si, pi + 1, CAP_UNFINISHED) end
        break
      elseif pc == 41 then                               -- )
        si = end_capture(si, pi + 1)
        break
      elseif pc == 36 and pi == plen then                -- $ at the end
        if si ~= slen + 1 then si = nil end
        break
      elseif pc == ESC and next_pc == 98 then            -- %b
        si = match_balance(si, pi + 2)
        if not si then break end
        pi = pi + 4
      elseif pc == ESC and next_pc == 102 then           -- %f
        pi = pi + 2
        if byte(pat, pi) ~= LBRACKET then fail("missing '[' after '%f' in pattern") end
        local ep = class_end(pi)
        local previous = si == 1 and 0 or byte(src, si - 1)
        if not bracket_class(previous, pi, ep - 1) and bracket_class(byte(src, si) or 0, pi, ep - 1) then
          pi = ep
        else
          si = nil
          break
        end
      elseif pc == ESC and next_pc and next_pc >= 48 and next_pc <= 57 then   -- %0-%9
        si = match_capture(si, next_pc)
        if not si then break end
        pi = pi + 2
      else
        local ep = class_end(pi)
        local suffix = byte(pat, ep)
        if not single_match(si, pi, ep) then
          if suffix == 42 or suffix == 63 or suffix == 45 then   -- * ? -: may match empty
            pi = ep + 1
          else
            si = nil
            break
          end
        elseif suffix == 63 then                         -- ?
          local res = do_match(si + 1, ep + 1)
          if res then
            si = res
            break
          end
          pi = ep + 1
        elseif suffix == 43 then                         -- +
          si = max_expand(si + 1, pi, ep)
          break
        elseif suffix == 42 then                         -- *
          si = max_expand(si, pi, ep)
          break
        elseif suffix == 45 then                         -- -
          si = min_expand(si, pi, ep)
          break
        else
          si = si + 1
          pi = ep
        end
      end
    end
    depth = depth + 1
    return si
  end

  local m = {}

  -- A function giving the next position >= si where a match may start, or nil when none
  -- can: the pattern's first item must match there (used when it is a single-character
  -- class that cannot match empty). nil when every position is a candidate.
  function m.starts(from)
    local c = byte(pat, from)
    if c == nil or c == 40 or c == 41 or c == 46 or (c == 36 and from == plen) then return nil end
    if c == ESC then
      local d = byte(pat, from + 1)
      if d == nil or d == 98 or d == 102 or (d >= 48 and d <= 57) then return nil end
    end
    local ep = class_end(from)
    local suffix = byte(pat, ep)
    if suffix == 42 or suffix == 63 or suffix == 45 then return nil end
    local item = item_pattern(from, ep)
    return function(si)
      if si > slen then return nil end
      return (C.find(src, item, si))
    end
  end

  -- the end of a match starting at `si` with the pattern from `pi`, or nil
  function m.match(si, pi)
    level, depth = 0, MAXCCALLS
    return do_match(si, pi)
  end

  -- capture i (0-based) of the match [s, e)
  function m.capture(i, s, e)
    if i >= level then
      if i == 0 then return sub(src, s, e - 1) end
      fail(format("invalid capture index %%%d", i + 1))
    end
    local n = cap_len[i + 1]
    if n == CAP_UNFINISHED then fail("unfinished capture") end
    if n == CAP_POSITION then return cap_init[i + 1] end
    return sub(src, cap_init[i + 1], cap_init[i + 1] + n - 1)
  end

  -- all captures of the match [s, e) (the whole match when there are none and s is given)
  function m.captures(s, e)
    local n = (level == 0 and s) and 1 or level
    local out = {}
    for i = 0, n - 1 do out[i + 1] = m.capture(i, s, e) end
    return unpack(out, 1, n)
  end

  return m
end

-- Cost estimate ---------------------------------------------------------------------------

-- (repetitions, optionals, scans, trailing) of a pattern, or nil when it is malformed (the
-- Lua matcher then reports the error at the point where C would). `trailing`: the only
-- repetition is followed by nothing but capture ends, so it cannot backtrack.
local function analyse(p, from)
  local reps, opts, scans, i, n = 0, 0, 0, from, #p
  local last_rep_end = nil
  local function skip_set(j)
    j = j + 1
    if byte(p, j) == CARET then j = j + 1 end
    repeat
      if j > n then return nil end
      local c = byte(p, j)
      j = j + 1
      if c == ESC and j <= n then j = j + 1 end
    until byte(p, j) == RBRACKET
    return j + 1
  end
  while i <= n do
    local c = byte(p, i)
    local item = true
    if c == 40 or c == 41 then
      i, item = i + 1, false
    elseif c == ESC then
      local d = byte(p, i + 1)
      if d == nil then return nil end
      if d == 98 then
        scans, i, item = scans + 1, i + 4, false
      elseif d == 102 then
        i = skip_set(i + 2)
        if not i then return nil end
        item = false
      elseif d >= 48 and d <= 57 then
        scans, i, item = scans + 1, i + 2, false
      else
        i = i + 2
      end
    elseif c == LBRACKET then
      i = skip_set(i)
      if not i then return nil end
    else
      i = i + 1
    end
    if item then
      local s = byte(p, i)
      if s == 42 or s == 43 or s == 45 then
        reps, i, last_rep_end = reps + 1, i + 1, i + 1
      elseif s == 63 then
        opts, i = opts + 1, i + 1
      end
    end
  end
  local trailing = reps == 1 and not C.find(p, "[^)]", last_rep_end)
  return reps, opts, scans, trailing
end

local cache, cached = {}, 0
local function shape(p, from)
  local key = from == 1 and p or "^" .. p
  local hit = cache[key]
  if hit then return hit end
  local reps, opts, scans, trailing = analyse(p, from)
  hit = reps and { reps, opts, scans, trailing } or false
  if cached >= 512 then cache, cached = {}, 0 end
  cache[key], cached = hit, cached + 1
  return hit
end

-- Worst-case steps of the C matcher over `n` subject bytes, trying `starts` positions.
local function c_steps(p, from, n, starts)
  local s = shape(p, from)
  if not s then return huge end
  local reps, opts, scans, trailing = s[1], s[2], s[3], s[4]
  local m = #p
  if trailing and scans == 0 then
    -- a failed start stops before the repetition; a scan of it always ends in a match, and
    -- the next search starts after it
    return 2 ^ opts * (starts * m + n + 1)
  end
  return starts * (n + 1) ^ reps * 2 ^ opts * (m + (reps + scans) * (n + 1))
end

-- Arguments -------------------------------------------------------------------------------

local function as_text(v)
  local t = type(v)
  if t == "string" then return v end
  if t == "number" then return tostring(v) end
  return nil
end

-- C's posrelat plus find's clamping: the start index, or nil when past the end
local function start_index(init, ls)
  if init == nil then return 1 end
  if init < 0 then
    if -init > ls then init = 0 else init = ls + init + 1 end
  end
  if init < 1 then return 1 end
  if init > ls + 1 then return nil end
  return init
end

local function nospecials(p)
  return not C.find(p, "[%^%$%*%+%?%.%(%[%%%-]")
end

local function plain_find(s, p, init)
  local lp = #p
  if lp == 0 then return init, init - 1 end
  local first, last_start, i = sub(p, 1, 1), #s - lp + 1, init
  while i <= last_start do
    local j = C.find(s, first, i, true)
    if not j or j > last_start then return nil end
    if sub(s, j, j + lp - 1) == p then return j, j + lp - 1 end
    i = j + 1
  end
  return nil
end

-- The bounded functions ---------------------------------------------------------------------

local function lua_find(find, ss, pp, start, from, anchor)
  local ls = #ss
  local m = new_matcher(ss, pp)
  local si = start
  local next_start = not anchor and m.starts(from)
  repeat
    if next_start then
      si = next_start(si)
      if not si then return nil end
    end
    local e = m.match(si, from)
    if e then
      if find then return si, e - 1, m.captures(nil, 0) end
      return m.captures(si, e)
    end
    si = si + 1
  until si > ls + 1 or anchor
  return nil
end

local function find_aux(find, s, p, init, plain, ...)
  local name = find and c_call.find or c_call.match
  local ss, pp = as_text(s), as_text(p)
  local i0 = init == nil and nil or tointeger(init)
  if not ss or not pp or (init ~= nil and i0 == nil) then return run(name, s, p, init, plain, ...) end
  local ls = #ss
  local start = start_index(i0, ls)
  if not start then return nil end
  local n = ls - start + 1
  if find and (plain or nospecials(pp)) then
    if n * #pp <= C_STEP_LIMIT then return run(name, s, p, init, plain) end
    return plain_find(ss, pp, start)
  end
  local anchor = byte(pp, 1) == CARET
  local from = anchor and 2 or 1
  if c_steps(pp, from, n, anchor and 1 or n + 1) <= C_STEP_LIMIT then return run(name, s, p, init, plain) end
  return run(lua_find, find, ss, pp, start, from, anchor)
end

function string.find(s, p, init, plain, ...) return find_aux(true, s, p, init, plain, ...) end
function string.match(s, p, init, ...) return find_aux(false, s, p, init, nil, ...) end

function string.gmatch(s, p, ...)
  local ss, pp = as_text(s), as_text(p)
  if not ss or not pp or c_steps(pp, 1, #ss, #ss + 1) <= C_STEP_LIMIT then return run(c_call.gmatch, s, p, ...) end
  local m = new_matcher(ss, pp)
  local pos, lastmatch, ls = 1, nil, #ss
  local next_start = false
  local function step()
    if next_start == false then next_start = m.starts(1) end
    local si = pos
    while si <= ls + 1 do
      if next_start then
        si = next_start(si)
        if not si then return nil end
      end
      local e = m.match(si, 1)
      if e and e ~= lastmatch then
        pos, lastmatch = e, e
        return m.captures(si, e)
      end
      si = si + 1
    end
    return nil
  end
  return function() return run(step) end
end

-- the replacement text for the match [si, e)
local function replacement(m, src, si, e, repl, kind)
  local value
  if kind == "string" then
    local parts, i, n = {}, 1, #repl
    while i <= n do
      local c = byte(repl, i)
      if c ~= ESC then
        local j = C.find(repl, "%", i, true) or n + 1
        parts[#parts + 1] = sub(repl, i, j - 1)
        i = j
      else
        local d = byte(repl, i + 1)
        if d == ESC then
          parts[#parts + 1] = "%"
        elseif d == 48 then
          parts[#parts + 1] = sub(src, si, e - 1)
        elseif d and d >= 49 and d <= 57 then
          parts[#parts + 1] = tostring(m.capture(d - 49, si, e))
        else
          fail("invalid use of '%' in replacement string")
        end
        i = i + 2
      end
    end
    return concat(parts)
  elseif kind == "function" then
    value = repl(m.captures(si, e))
  else
    value = repl[m.capture(0, si, e)]
  end
  if not value then return sub(src, si, e - 1) end
  local vt = type(value)
  if vt == "string" then return value end
  if vt == "number" then return tostring(value) end
  fail("invalid replacement value (a " .. vt .. ")")
end

local lua_gsub
function string.gsub(s, p, repl, max_n, ...)
  local ss, pp = as_text(s), as_text(p)
  local kind = type(repl)
  local limit = max_n == nil and nil or tointeger(max_n)
  if not ss or not pp or (max_n ~= nil and limit == nil)
    or not (kind == "string" or kind == "number" or kind == "function" or kind == "table") then
    return run(c_call.gsub, s, p, repl, max_n, ...)
  end
  local ls = #ss
  local anchor = byte(pp, 1) == CARET
  local from = anchor and 2 or 1
  if c_steps(pp, from, ls, anchor and 1 or ls + 1) <= C_STEP_LIMIT then return run(c_call.gsub, s, p, repl, max_n, ...) end
  if kind == "number" then repl, kind = tostring(repl), "string" end
  return run(lua_gsub, ss, pp, repl, kind, limit or ls + 1, anchor, from)
end

local function lua_gsub_body(ss, pp, repl, kind, limit, anchor, from)
  local ls = #ss
  local m = new_matcher(ss, pp)
  local parts, si, kept, n, lastmatch = {}, 1, 1, 0, nil
  local next_start = nil    -- found on the first attempt (none is made when limit is 0)
  while n < limit do
    if next_start == nil then next_start = not anchor and m.starts(from) end
    if next_start then
      si = next_start(si) or ls + 1
    end
    local e = m.match(si, from)
    if e and e ~= lastmatch then
      n = n + 1
      parts[#parts + 1] = sub(ss, kept, si - 1)
      parts[#parts + 1] = replacement(m, ss, si, e, repl, kind)
      si, kept, lastmatch = e, e, e
    elseif si <= ls then
      si = si + 1
    else
      break
    end
    if anchor then break end
  end
  parts[#parts + 1] = sub(ss, kept)
  return concat(parts), n
end
lua_gsub = lua_gsub_body

-- for tests: the Lua matcher on its own, whatever the cost estimate says
return {
  force = function(on) C_STEP_LIMIT = on and -1 or 2e7 end,
}
