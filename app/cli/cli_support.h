#pragma once

// What every command of `tau` shares: the --json switch, Ctrl-C, warnings and evaluation progress on stderr.

#include "core/common/cancellation.h"
#include "core/common/evaluation_observer.h"

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace tau::app::cli {

/** --json: numbers as one JSON object on stdout instead of the human-readable lines. */
bool& jsonOutput();

/** The token Ctrl-C (and SIGTERM) sets; a second Ctrl-C leaves at once. */
core::CancellationToken& interruption();
void stopOnInterrupt();

void printJson(const nlohmann::json& value);
void printWarning(const std::string& line);

/** "a,b,,c" -> {a, b, c}. */
std::vector<std::string> splitList(const std::string& text);

/** --dataset NAME is --set dataset.name=NAME, as the original's flag of that name. */
std::vector<std::string> withDataset(std::vector<std::string> overrides, const std::string& dataset);

/** Evaluation progress as one redrawn line on a terminal, messages on their own lines. */
class EvaluationPrinter : public core::EvaluationObserver
{
public:
    EvaluationPrinter();
    ~EvaluationPrinter() override;
    void onProgress(const std::string& stage, long long done, long long total, double etaSeconds) override;
    void onMessage(const std::string& message) override;
    void finishLine();

private:
    bool m_interactive;
    bool m_open = false;
};

/** The exit code and message of an evaluation that was cancelled (130). */
int reportCancelled();

/**
 * Runs @p evaluate(observer, cancel) with progress on stderr and Ctrl-C stopping it, then @p report(result),
 * which prints the numbers (as JSON with --json). @return 0, or 130 when it was cancelled (nothing was written).
 */
template <typename Evaluate, typename Report>
int runEvaluation(Evaluate&& evaluate, Report&& report)
{
    EvaluationPrinter printer;
    const auto result = evaluate(printer, interruption());
    printer.finishLine();
    if (result.cancelled) {
        return reportCancelled();
    }
    report(result);
    return 0;
}

} // namespace tau::app::cli
