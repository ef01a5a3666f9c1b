#pragma once

#include "core/training/training_callback.h"

namespace tau::core {

/**
 * What a data-parallel job cost in communication, per step, as rank 0 saw it: bytes through collectives, the
 * gradient buckets and how many started during backward, the step time and the share of it spent waiting. Written
 * as the "communication" event at the end (bench/distributed_scaling.sh reads it); nothing for one process.
 */
class CommunicationReport : public TrainingCallback
{
public:
    void setUp(const TrainingSetUp& setUp) override;
    void onTrainingStart() override;
    void onTrainingEnd(const TrainingEnd& end) override;

private:
    const Communicator* m_communicator = nullptr;
    const GradientAverager* m_averager = nullptr;
    double m_bytesAtStart = 0;
    double m_waitAtStart = 0;
};

} // namespace tau::core
