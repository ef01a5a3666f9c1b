#pragma once

// The fields of metrics.jsonl's step and epoch records, one row each: the name in the file, the member of
// StepRecord or EpochRecord, and when it is written. MetricsWriter writes and the metrics reader reads through
// these rows, so a new number in a record is one row (and its member). "scalars" and "type" are the writer's own.

#include "core/common/training_observer.h"

#include <nlohmann/json.hpp>

#include <optional>
#include <variant>
#include <vector>

namespace tau::core {

/** A number of a record of type @p Record. */
template <typename Record>
struct RecordNumber
{
    const char* name; ///< its key in metrics.jsonl
    std::variant<int Record::*, long long Record::*, double Record::*, std::optional<double> Record::*> member;
    bool onlyWhenPositive = false; ///< wall_time: 0 means "not recorded", and is left out
    double missing = 0.0;          ///< what a reader takes where a file has none (loss: NaN)
};

/** A distribution of an epoch record: its histogram and percentiles, written where the record has them. */
struct RecordDistribution
{
    const char* histogramName;   ///< "c_hist"
    const char* percentilesName; ///< "c_percentiles"
    Histogram EpochRecord::*histogram;
    Percentiles EpochRecord::*percentiles;
    bool EpochRecord::*present; ///< hasTemperature, hasOutliers
};

const std::vector<RecordNumber<StepRecord>>& stepRecordNumbers();
const std::vector<RecordNumber<EpochRecord>>& epochRecordNumbers();
const std::vector<RecordDistribution>& epochRecordDistributions();

/** NaN is not JSON: null, so every line stays parseable. */
nlohmann::json jsonNumber(double value);

/** Writes @p record's numbers into @p line by the rows of @p fields. */
template <typename Record>
void writeNumbers(const Record& record, const std::vector<RecordNumber<Record>>& fields, nlohmann::json& line)
{
    for (const RecordNumber<Record>& field : fields) {
        std::visit(
            [&](auto member) {
                using Value = std::decay_t<decltype(record.*member)>;
                const Value& value = record.*member;
                if constexpr (std::is_same_v<Value, std::optional<double>>) {
                    if (value) {
                        line[field.name] = jsonNumber(*value);
                    }
                } else if constexpr (std::is_same_v<Value, double>) {
                    if (!field.onlyWhenPositive || value > 0) {
                        line[field.name] = jsonNumber(value);
                    }
                } else {
                    line[field.name] = value;
                }
            },
            field.member);
    }
}

/** Reads @p line's numbers into @p record by the rows of @p fields; a missing or non-number value is the row's. */
template <typename Record>
void readNumbers(const nlohmann::json& line, const std::vector<RecordNumber<Record>>& fields, Record& record)
{
    for (const RecordNumber<Record>& field : fields) {
        const auto found = line.find(field.name);
        const bool present = found != line.end();
        const double number = present && found->is_number() ? found->template get<double>() : field.missing;
        std::visit(
            [&](auto member) {
                using Value = std::decay_t<decltype(record.*member)>;
                if constexpr (std::is_same_v<Value, std::optional<double>>) {
                    if (present) {
                        record.*member = number;
                    }
                } else {
                    record.*member = Value(number);
                }
            },
            field.member);
    }
}

} // namespace tau::core
