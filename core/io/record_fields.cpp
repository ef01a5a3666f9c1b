#include "core/io/record_fields.h"

#include <cmath>

namespace tau::core {

nlohmann::json jsonNumber(double value)
{
    return std::isfinite(value) ? nlohmann::json(value) : nlohmann::json(nullptr);
}

const std::vector<RecordNumber<StepRecord>>& stepRecordNumbers()
{
    static const std::vector<RecordNumber<StepRecord>> fields = {
        {"epoch", &StepRecord::epoch},
        {"step", &StepRecord::step},
        {"loss", &StepRecord::loss, false, std::nan("")},
        {"lr", &StepRecord::learningRate},
        {"images_per_s", &StepRecord::imagesPerSecond},
        {"c_mean", &StepRecord::meanCertainty},
        {"r_mean", &StepRecord::meanRawR},
        {"outlier_c_mean", &StepRecord::meanOutlierCertainty},
        {"wall_time", &StepRecord::wallTime, true},
        {"gpu_mem_mb", &StepRecord::gpuMemoryMb},
        {"gpu_peak_mb", &StepRecord::gpuPeakMb},
    };
    return fields;
}

const std::vector<RecordNumber<EpochRecord>>& epochRecordNumbers()
{
    static const std::vector<RecordNumber<EpochRecord>> fields = {
        {"epoch", &EpochRecord::epoch},
        {"step", &EpochRecord::step},
        {"loss", &EpochRecord::loss, false, std::nan("")},
        {"lr", &EpochRecord::learningRate},
        {"images_per_s", &EpochRecord::imagesPerSecond},
        {"seconds", &EpochRecord::seconds},
        {"wall_time", &EpochRecord::wallTime, true},
    };
    return fields;
}

const std::vector<RecordDistribution>& epochRecordDistributions()
{
    static const std::vector<RecordDistribution> distributions = {
        {"c_hist", "c_percentiles", &EpochRecord::certaintyHistogram, &EpochRecord::certaintyPercentiles,
         &EpochRecord::hasTemperature},
        {"r_hist", "r_percentiles", &EpochRecord::rawHistogram, &EpochRecord::rawPercentiles,
         &EpochRecord::hasTemperature},
        {"outlier_c_hist", "outlier_c_percentiles", &EpochRecord::outlierCertaintyHistogram,
         &EpochRecord::outlierCertaintyPercentiles, &EpochRecord::hasOutliers},
    };
    return distributions;
}

} // namespace tau::core
