// Verifies ANS-104 data items with arbundles, the implementation AO's MU and SU use: reads the files named on
// the command line and prints one JSON line per item {ok, id, owner, target, anchor, tags, data}.
const fs = require("fs");
const { DataItem } = require("arbundles");

(async () => {
  for (const file of process.argv.slice(2)) {
    const raw = fs.readFileSync(file);
    const item = new DataItem(raw);
    const ok = await DataItem.verify(raw);
    console.log(JSON.stringify({
      ok, id: item.id, owner: item.owner, target: item.target, anchor: item.anchor, tags: item.tags,
      data: Buffer.from(item.rawData).toString("utf8"), signature_type: item.signatureType,
    }));
  }
})().catch((err) => { console.error(err); process.exit(1); });
