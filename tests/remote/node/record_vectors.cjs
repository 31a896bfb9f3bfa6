// Records ANS-104 test vectors with arbundles and arweave-js (the JS implementations AO's units use), for
// tests/remote/test_ans104.py. Run once by hand: `node record_vectors.cjs ../vectors` (after npm ci here).
// The tests read the files it writes; they never need node for these.
const fs = require("fs");
const path = require("path");
const Arweave = require("arweave");
const deepHash = require("arweave/node/lib/deepHash").default;
const { createData, ArweaveSigner } = require("arbundles");

const out = process.argv[2] || "../vectors";
const hex = (bytes) => Buffer.from(bytes).toString("hex");

(async () => {
  const arweave = Arweave.init({});
  const jwk = await arweave.wallets.generate();
  const address = await arweave.wallets.jwkToAddress(jwk);
  const signer = new ArweaveSigner(jwk);

  const items = {};
  const full = createData("hello AO ✓", signer, {
    target: "xU9zFkq3X2ZQ6olwNVvr1vUWIjc3kXTWr7xKQD6dh10",
    anchor: "0123456789abcdef0123456789abcdef",
    tags: [
      { name: "Data-Protocol", value: "ao" },
      { name: "Action", value: "Eval" },
      { name: "Ünïcode", value: "välue ✓" },
    ],
  });
  await full.sign(signer);
  const bare = createData("", signer, {});
  await bare.sign(signer);
  for (const [name, item] of Object.entries({ full, bare })) {
    items[name] = {
      raw: item.getRaw().toString("base64"),
      id: item.id,
      owner_address: address,
      target: item.target,
      anchor: item.anchor,
      tags: item.tags,
      data: Buffer.from(item.rawData).toString("utf8"),
      signature_type: item.signatureType,
      verified_by_arbundles: await item.isValid(),
    };
  }

  const enc = (s) => new TextEncoder().encode(s);
  const hashes = [
    { input: "", hash: hex(await deepHash(enc(""))) },
    { input: "abc", hash: hex(await deepHash(enc("abc"))) },
    { input: [], hash: hex(await deepHash([])) },
    { input: ["a", ["b", "c"], ""], hash: hex(await deepHash([enc("a"), [enc("b"), enc("c")], enc("")])) },
  ];

  fs.writeFileSync(path.join(out, "arweave-test-wallet.json"), JSON.stringify(jwk));
  fs.writeFileSync(path.join(out, "data-items.json"), JSON.stringify({ address, items, deep_hashes: hashes }, null, 1));
  console.log(`wrote ${out}: wallet ${address}, items ${Object.keys(items).join(", ")}`);
})();
