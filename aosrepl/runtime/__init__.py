"""The process runtime: one sandboxed Lua 5.3 state per AO process (see docs/architecture.md)."""
from .process import LuaProcess, LuaProcessError, ProcessLimits
from .library import update_script

__all__ = ["LuaProcess", "LuaProcessError", "ProcessLimits", "update_script"]
