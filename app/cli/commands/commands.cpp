#include "app/cli/commands/commands.h"

namespace tau::app::cli {

std::vector<std::unique_ptr<Command>> headlessCommands()
{
    std::vector<std::unique_ptr<Command>> table;
    for (auto make : {&makeTrainCommand, &makeResumeCommand, &makeImportCommand, &makeConfigCommand, &makeOodCommand,
                      &makeLinearEvalCommand, &makeKnnCommand, &makeEmbedCommand, &makeRankCommand,
                      &makeDatasetsCommand, &makeExportDataCommand}) {
        table.push_back(make());
    }
    return table;
}

const std::vector<HandedOverCommand>& figureCommands()
{
    static const std::vector<HandedOverCommand> commands = {
        {"export", "Figures and tables for papers from an eval folder (runs tau-figures)"},
        {"report", "Write a self-contained HTML report of a run (runs tau-figures)"},
    };
    return commands;
}

} // namespace tau::app::cli
