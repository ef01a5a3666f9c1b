#pragma once

// What every command of `tau` shares: the --json switch, Ctrl-C, warnings and evaluation progress on stderr.

#include "core/common/cancellation.h"
#include "core/common/evaluation_observer.h"

#include "core/distributed/distributed_environment.h"

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <memory>
#include <optional>

#include <string>
#include <vector>

namespace tau::app::cli {

/** --json: numbers as one JSON object on stdout instead of the human-readable lines. */
bool& jsonOutput();

/** tau's own argv, as main received it: what tau --nproc passes on to its workers. */
std::vector<std::string>& commandLine();

/**
 * A CONFIG argument: a file when one is there, else a shipped preset of that name (tau config presets lists them,
 * e.g. tau_simclr_fashion_mnist). @throws TauError naming what was given and the presets there are.
 */
std::string configFileOrPreset(const std::string& given);

/** This process's part in a distributed command: its communicator (null: alone) and whether it reports. */
struct JobRole
{
    std::shared_ptr<core::Communicator> communicator;
    bool leader = true;
};

/**
 * --nproc N: this process becomes the launcher of N workers and returns their exit status. A worker (or a
 * process started by a cluster launcher) joins the job's process group instead and gets its role in @p role;
 * then nullopt is returned and the caller does the work.
 */
std::optional<int> launchOrJoin(int processes, const std::string& device, JobRole& role);

/** Adds --nproc to a command that can split its work over processes. */
void addProcessesOption(CLI::App& command, int& processes, const std::string& what);

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
int runEvaluation(Evaluate&& evaluate, Report&& report, bool leader = true)
{
    if (!leader) { // ranks other than 0 of a distributed evaluation compute their share silently
        core::EvaluationObserver quiet;
        stopOnInterrupt();
        return evaluate(quiet, interruption()).cancelled ? 130 : 0;
    }
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
