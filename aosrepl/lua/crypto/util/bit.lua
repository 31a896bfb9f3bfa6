-- .crypto.util.bit: the bit32 operations the crypto modules use.
return {
  band = bit32.band, bor = bit32.bor, bxor = bit32.bxor, bnot = bit32.bnot,
  lshift = bit32.lshift, rshift = bit32.rshift, lrotate = bit32.lrotate, rrotate = bit32.rrotate,
}
