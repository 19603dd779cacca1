// The node side of kpl_interop_test: AWS's aws-kinesis-agg reads sluice's aggregates and
// writes its own for sluice to read.
//
// Files are lines of tab-separated fields, binary fields in base64:
//   K <partition key> <explicit hash key or -> <data>   a Kinesis record (an aggregate)
//   U <partition key> <explicit hash key or -> <data>   a user record
// Each K line is followed by the U lines of the user records it carries.
//
//   node kpl_interop.js deaggregate <file>   checks that every K holds exactly its U lines
//   node kpl_interop.js aggregate <in> <out> aggregates the U lines of <in> into <out>
'use strict';

const fs = require('fs');
const agg = require('aws-kinesis-agg');

function readLines(file) {
  return fs.readFileSync(file, 'utf8').split('\n').filter((line) => line.length > 0).map((line) => {
    const [kind, partitionKey, explicitHashKey, data] = line.split('\t');
    return {
      kind,
      partitionKey: Buffer.from(partitionKey, 'base64').toString('utf8'),
      explicitHashKey:
          explicitHashKey === '-' ? undefined : Buffer.from(explicitHashKey, 'base64').toString('utf8'),
      data: Buffer.from(data, 'base64'),
    };
  });
}

function formatLine(kind, partitionKey, explicitHashKey, data) {
  const b64 = (text) => Buffer.from(text, 'utf8').toString('base64');
  return [kind, b64(partitionKey), explicitHashKey === undefined ? '-' : b64(explicitHashKey),
          Buffer.from(data).toString('base64')].join('\t') + '\n';
}

function groups(lines) {
  const out = [];
  for (const line of lines) {
    if (line.kind === 'K') {
      out.push({kinesis: line, users: []});
    } else if (out.length > 0) {
      out[out.length - 1].users.push(line);
    } else {
      throw new Error('user record before any Kinesis record');
    }
  }
  return out;
}

function deaggregate(file) {
  let failures = 0;
  let userRecords = 0;
  const all = groups(readLines(file));
  all.forEach(({kinesis, users}, index) => {
    const record = {
      partitionKey: kinesis.partitionKey,
      sequenceNumber: String(index),
      data: kinesis.data.toString('base64'),
    };
    agg.deaggregateSync(record, true, (err, got) => {
      const fail = (what) => {
        failures++;
        console.error(`aggregate ${index}: ${what}`);
      };
      if (err) return fail(`error ${err}`);
      if (got.length !== users.length) return fail(`${got.length} records, want ${users.length}`);
      const firstHashKey = users.map((u) => u.explicitHashKey).find((k) => k !== undefined);
      got.forEach((user, i) => {
        const want = users[i];
        if (user.subSequenceNumber !== i) fail(`record ${i}: subsequence ${user.subSequenceNumber}`);
        if (user.partitionKey !== want.partitionKey) {
          fail(`record ${i}: partition key ${JSON.stringify(user.partitionKey)}, want ` +
               JSON.stringify(want.partitionKey));
        }
        // aws-kinesis-agg reads a Record without explicit_hash_key_index as index 0 (the
        // protobufjs default), so it reports the table's first key for such a record when
        // the aggregate has any. The KCL checks presence; accept either for those records.
        const defaultKey = want.explicitHashKey === undefined ? firstHashKey : undefined;
        if (user.explicitPartitionKey !== want.explicitHashKey &&
            (defaultKey === undefined || user.explicitPartitionKey !== defaultKey)) {
          fail(`record ${i}: explicit hash key ${JSON.stringify(user.explicitPartitionKey)}, want ` +
               JSON.stringify(want.explicitHashKey));
        }
        if (user.data !== want.data.toString('base64')) fail(`record ${i}: data differs`);
      });
      userRecords += got.length;
    });
  });
  console.log(`aws-kinesis-agg read ${all.length} aggregates, ${userRecords} user records, ` +
              `${failures} failures`);
  process.exit(failures === 0 ? 0 : 1);
}

function aggregate(input, output) {
  const records = readLines(input).filter((line) => line.kind === 'U');
  const aggregator = new agg.RecordAggregator();
  const out = [];
  let pending = [];
  const flush = () => {
    const encoded = aggregator.build();
    const explicitHashKey = encoded.explicitHashKey ?? encoded.ExplicitHashKey;
    out.push(formatLine('K', encoded.partitionKey, explicitHashKey, encoded.data));
    for (const r of pending) out.push(formatLine('U', r.partitionKey, r.explicitHashKey, r.data));
    pending = [];
  };
  for (const r of records) {
    const record = {partitionKey: r.partitionKey, data: r.data};
    if (r.explicitHashKey !== undefined) record.explicitHashKey = r.explicitHashKey;
    if (aggregator.length() > 0 && !aggregator.checkIfUserRecordFits(record)) flush();
    aggregator.addUserRecord(record);
    pending.push(r);
  }
  if (aggregator.length() > 0) flush();
  fs.writeFileSync(output, out.join(''));
  console.log(`aws-kinesis-agg wrote ${out.length - records.length} aggregates of ` +
              `${records.length} user records`);
}

const [command, ...args] = process.argv.slice(2);
if (command === 'deaggregate' && args.length === 1) {
  deaggregate(args[0]);
} else if (command === 'aggregate' && args.length === 2) {
  aggregate(args[0], args[1]);
} else {
  console.error('usage: kpl_interop.js deaggregate <file> | aggregate <in> <out>');
  process.exit(2);
}
