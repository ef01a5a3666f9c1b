#include "core/training/communication_report.h"

#include "core/distributed/communicator.h"
#include "core/distributed/gradient_averager.h"

#include <algorithm>
#include <sstream>

namespace tau::core {

void CommunicationReport::setUp(const TrainingSetUp& setUp)
{
    m_communicator = &setUp.communicator;
    m_averager = &setUp.averager;
}

void CommunicationReport::onTrainingStart()
{
    m_bytesAtStart = m_communicator->payloadBytes();
    m_waitAtStart = m_communicator->waitSeconds();
}

void CommunicationReport::onTrainingEnd(const TrainingEnd& end)
{
    if (m_communicator == nullptr || m_communicator->worldSize() <= 1 || end.stepsTrained <= 0) {
        return;
    }
    const double steps = double(end.stepsTrained);
    const double waitShare = 100.0 * (m_communicator->waitSeconds() - m_waitAtStart) / std::max(1e-9, end.seconds);
    std::ostringstream detail;
    detail.precision(3);
    detail << "per step: " << (m_communicator->payloadBytes() - m_bytesAtStart) / steps / 1e6
           << " MB through collectives (" << double(m_averager->bytesPerStep()) / 1e6 << " MB of gradients in "
           << m_averager->bucketCount() << " buckets, " << m_averager->bucketsStartedDuringBackward() << " of "
           << m_averager->bucketsStarted() << " started during backward), " << 1000.0 * end.seconds / steps
           << " ms a step, " << waitShare << "% of it waiting for collectives";
    end.report("communication", detail.str());
}

} // namespace tau::core
