// tau rank --checkpoint RUN: the most and least certain test images of every class, as PNG grids and CSV.

#include "app/cli/cli_support.h"
#include "app/cli/commands/commands.h"
#include "app/cli/evaluation_target_options.h"
#include "core/evaluation/ranking.h"

#include <cstdio>

namespace tau::app::cli {

namespace {

class RankCommand : public Command
{
public:
    CLI::App* add(CLI::App& app) override
    {
        CLI::App* command = app.add_subcommand("rank", "The most and least certain images per class, as PNG grids and CSV");
        addEvaluationTarget(*command, m_options, kEveryTargetOption & ~kSeedOption);
        command->add_option("--per-class", m_options.perClass, "images per class in each grid")->capture_default_str();
        return command;
    }

    int run() override
    {
        return runEvaluation(
            [this](auto& observer, auto& cancel) { return core::rankByCertainty(m_options, observer, cancel); },
            [](const core::RankingResult& result) {
                if (jsonOutput()) {
                    printJson({{"directory", result.directory}});
                } else {
                    std::printf("most_certain.png, least_certain.png and rankings.csv in %s\n", result.directory.c_str());
                }
            });
    }

private:
    core::RankingOptions m_options;
};

} // namespace

std::unique_ptr<Command> makeRankCommand()
{
    return std::make_unique<RankCommand>();
}

} // namespace tau::app::cli
