#pragma once

#include <string>

namespace tau::core {

/** Progress of a long evaluation: called on the evaluating thread. */
class EvaluationObserver
{
public:
    virtual ~EvaluationObserver() = default;
    /** @p done of @p total items of the job (images, or iterations of t-SNE), @p etaSeconds left. */
    virtual void onProgress(const std::string& stage, long long done, long long total, double etaSeconds)
    {
        (void)stage, (void)done, (void)total, (void)etaSeconds;
    }
    virtual void onMessage(const std::string& message) { (void)message; }
};

} // namespace tau::core
