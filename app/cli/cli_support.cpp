#include "app/cli/cli_support.h"

#include "core/common/duration_text.h"
#include "core/common/error.h"
#include "core/config/presets.h"

#include <csignal>
#include <filesystem>
#include <cstdio>
#include <sstream>
#include <unistd.h>

namespace tau::app::cli {

namespace {

/** First Ctrl-C: finish the current step (or batch), save, exit. Second: leave at once. */
void onInterrupt(int)
{
    if (interruption().stopRequested()) {
        std::_Exit(130);
    }
    interruption().requestStop();
    const char note[] = "\nstopping after the current step (Ctrl-C again to quit at once)\n";
    [[maybe_unused]] const auto written = write(STDERR_FILENO, note, sizeof note - 1);
}

} // namespace

std::string configFileOrPreset(const std::string& given)
{
    std::error_code error;
    if (given.empty() || std::filesystem::exists(given, error)) {
        return given;
    }
    const std::vector<std::string> directories = core::presetDirectories();
    if (const std::optional<std::string> preset = core::findPreset(given, directories)) {
        return *preset;
    }
    std::string names;
    for (const core::Preset& preset : core::listPresets(directories)) {
        names += (names.empty() ? "" : ", ") + preset.name;
    }
    throw core::TauError(given + ": no such config file, and no preset of that name (" +
                         (names.empty() ? std::string("no presets found") : "presets: " + names) + ")");
}

std::vector<std::string>& commandLine()
{
    static std::vector<std::string> arguments;
    return arguments;
}

std::optional<int> launchOrJoin(int processes, const std::string& device, JobRole& role)
{
    const std::optional<core::DistributedEnvironment> job = core::distributedEnvironmentFromVariables();
    if (processes > 1 && !job) {
        std::vector<std::string> arguments;
        const std::vector<std::string>& all = commandLine();
        for (size_t i = 0; i < all.size(); ++i) {
            if (all[i] == "--nproc") {
                ++i; // and its value
            } else if (all[i].rfind("--nproc=", 0) != 0) {
                arguments.push_back(all[i]);
            }
        }
        return core::runLocalWorkers(processes, arguments);
    }
    if (job) {
        role.communicator = core::joinProcessGroup(*job, device);
        role.leader = job->rank == 0;
    }
    return std::nullopt;
}

void addProcessesOption(CLI::App& command, int& processes, const std::string& what)
{
    command
        .add_option("--nproc", processes,
                    what + " in N local processes over c10d (Gloo on CPU); a job started by a cluster launcher "
                           "(RANK, WORLD_SIZE, MASTER_ADDR, MASTER_PORT, or srun's SLURM_PROCID) joins without it")
        ->check(CLI::Range(1, 1024));
}

bool& jsonOutput()
{
    static bool json = false;
    return json;
}

core::CancellationToken& interruption()
{
    static core::CancellationToken token;
    return token;
}

void stopOnInterrupt()
{
    std::signal(SIGINT, onInterrupt);
    std::signal(SIGTERM, onInterrupt);
}

void printJson(const nlohmann::json& value)
{
    std::printf("%s\n", value.dump(2).c_str());
}

void printWarning(const std::string& line)
{
    std::fprintf(stderr, "tau: warning: %s\n", line.c_str());
}

std::vector<std::string> splitList(const std::string& text)
{
    std::vector<std::string> items;
    std::stringstream stream(text);
    for (std::string item; std::getline(stream, item, ',');) {
        if (!item.empty()) {
            items.push_back(item);
        }
    }
    return items;
}

std::vector<std::string> withDataset(std::vector<std::string> overrides, const std::string& dataset)
{
    if (!dataset.empty()) {
        overrides.push_back("dataset.name=" + dataset);
    }
    return overrides;
}

EvaluationPrinter::EvaluationPrinter() : m_interactive(isatty(STDERR_FILENO) != 0)
{
    stopOnInterrupt();
}

EvaluationPrinter::~EvaluationPrinter()
{
    finishLine();
}

void EvaluationPrinter::onProgress(const std::string& stage, long long done, long long total, double etaSeconds)
{
    if (!m_interactive) {
        return;
    }
    std::fprintf(stderr, "\r\033[Kscoring %s: %lld/%lld images  ETA %s", stage.c_str(), done, total,
                 core::formatDuration(etaSeconds).c_str());
    m_open = true;
}

void EvaluationPrinter::onMessage(const std::string& message)
{
    finishLine();
    std::fprintf(stderr, "%s\n", message.c_str());
}

void EvaluationPrinter::finishLine()
{
    if (m_open) {
        std::fprintf(stderr, "\n");
        m_open = false;
    }
}

int reportCancelled()
{
    std::fprintf(stderr, "cancelled; nothing was written\n");
    return 130;
}

} // namespace tau::app::cli
