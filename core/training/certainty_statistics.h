#pragma once

#include "core/training/training_callback.h"

#include <memory>

namespace tau::core {

/**
 * The temperature statistics every record carries, for objectives whose model outputs r: each read step's mean r
 * and mean c = sigmoid(r), and each epoch's histograms and percentiles of c and r over the global batch's anchors;
 * with outlier exposure, the same for the synthetic outliers. The step values are gathered on the training device
 * and read back only where a record is written, so a GPU never waits for them between reads.
 */
class CertaintyStatistics : public TrainingCallback
{
public:
    /** @param histogramBins logging.histogram_bins: bins of c on [0, 1]; r gets twice as many over its range. */
    explicit CertaintyStatistics(int histogramBins);
    ~CertaintyStatistics() override;

    void setUp(const TrainingSetUp& setUp) override;
    void onStepEnd(StepEnd& end) override;
    void onEpochEnd(EpochEnd& end) override;

private:
    struct Gathered;
    int m_histogramBins;
    Communicator* m_communicator = nullptr;
    std::unique_ptr<Gathered> m_epoch;
};

} // namespace tau::core
