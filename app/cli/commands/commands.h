#pragma once

// The factories of the commands in this folder; commands.cpp lists them in one table.

#include "app/cli/command.h"

namespace tau::app::cli {

std::unique_ptr<Command> makeTrainCommand();
std::unique_ptr<Command> makeResumeCommand();
std::unique_ptr<Command> makeImportCommand();
std::unique_ptr<Command> makeConfigCommand();
std::unique_ptr<Command> makeOodCommand();
std::unique_ptr<Command> makeKnnCommand();
std::unique_ptr<Command> makeLinearEvalCommand();
std::unique_ptr<Command> makeEmbedCommand();
std::unique_ptr<Command> makeRankCommand();
std::unique_ptr<Command> makeDatasetsCommand();
std::unique_ptr<Command> makeExportDataCommand();

/** Whether `tau export KIND` runs headless (features, weights) rather than in tau-figures (the figures). */
bool isHeadlessExport(const char* kind);

} // namespace tau::app::cli
