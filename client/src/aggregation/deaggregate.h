#pragma once

#include <string_view>
#include <vector>

#include "aggregation/aggregated_record.h"
#include "common/result.h"

namespace sluice::client {

// Whether `data`, a Kinesis record's data, is a KPL aggregate as the KCL decides it: it
// starts with kAggregateMagic, has at least one byte between magic and digest, and ends
// with the MD5 of those bytes.
bool IsAggregate(std::string_view data);

// The user records of one Kinesis record, given its `data` and `partition_key`, in order.
//
// As the KCL does, data that is not an aggregate (IsAggregate is false: no magic, too
// short, or a digest that does not match) is a plain record: it comes back alone, with
// `partition_key` and no explicit hash key. An aggregate whose protobuf is malformed
// (truncated, invalid wire encoding, a required field missing, a key index outside its
// table) is kInvalidArgument. The KCL would pass such a record on as plain data (or, for a
// bad key index, log it and drop the rest); but its digest matched, so it was built as an
// aggregate, and handing it over as one record would hide a producer bug. Unknown fields
// are skipped; tags are checked for form and dropped. An aggregate may hold no records.
//
// Copies what it returns; `data` and `partition_key` need only live for the call.
[[nodiscard]] Result<std::vector<UserRecord>> Deaggregate(std::string_view data,
                                                          std::string_view partition_key);

}  // namespace sluice::client
