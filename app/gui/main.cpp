// tau-explorer: the desktop application. Opens a config (the default one unless given) and waits for Train.

#include "app/config/config_editor.h"
#include "app/mainwindow/main_window.h"
#include "core/common/build_info.h"
#include "core/config/presets.h"
#include "core/models/script_trust.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QFileInfo>
#include <QElapsedTimer>
#include <QIcon>
#include <QTimer>

#include <algorithm>
#include <cstdio>
#include <cstring>

/**
 * Trains the opened config while a 5 ms timer records the longest gap between its ticks: how long the event
 * loop was ever kept from running (a stall a user would feel as a frozen window). Prints JSON and quits.
 */
int runGuiBenchmark(tau::app::MainWindow& window)
{
    QElapsedTimer clock;
    qint64 last = 0;
    qint64 longest = 0;
    QTimer ticker;
    ticker.setInterval(5);
    QObject::connect(&ticker, &QTimer::timeout, [&] {
        const qint64 now = clock.nsecsElapsed();
        if (last > 0) {
            longest = std::max(longest, now - last);
        }
        last = now;
    });
    QObject::connect(&window, &tau::app::MainWindow::trainingEnded, [&](bool, const QString& error) {
        ticker.stop();
        std::printf("{\"max_stall_ms\": %.2f, \"error\": \"%s\"}\n", double(longest) / 1e6, qPrintable(error));
        std::fflush(stdout);
        QCoreApplication::quit();
    });
    clock.start();
    ticker.start();
    QMetaObject::invokeMethod(&window, &tau::app::MainWindow::startTraining, Qt::QueuedConnection);
    return QApplication::exec();
}

int main(int argc, char** argv)
{
    // --version needs no display: answered before Qt looks for one.
    for (int i = 1; i < argc; ++i) {
        if (std::strcmp(argv[i], "--version") == 0 || std::strcmp(argv[i], "-v") == 0) {
            std::fputs(tau::core::versionReport("tau-explorer").c_str(), stdout);
            return 0;
        }
    }
    QApplication application(argc, argv);
    Q_INIT_RESOURCE(resources); // the icons live in the static tau_app library
    // Settings in ~/.config/tau-explorer/tau-explorer.conf; the window names itself TaU Explorer.
    QApplication::setApplicationName(QStringLiteral("tau-explorer"));
    QApplication::setOrganizationName(QStringLiteral("tau-explorer"));
    QApplication::setApplicationDisplayName(QStringLiteral("TaU Explorer"));
    QGuiApplication::setDesktopFileName(QStringLiteral("io.github.tau_explorer.TauExplorer"));
    QApplication::setApplicationVersion(QString::fromStdString(tau::core::toolVersion()));
    QApplication::setWindowIcon(QIcon(QStringLiteral(":/icons/tau-explorer.svg")));

    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("Temperature as Uncertainty: train and explore contrastive models"));
    parser.addHelpOption();
    parser.addVersionOption();
    parser.addPositionalArgument(QStringLiteral("file"), QStringLiteral("a config to open (YAML or JSON), or a checkpoint (.pt) or run folder to analyse"));
    QCommandLineOption trainOption(QStringLiteral("train"), QStringLiteral("start training as soon as the window opens"));
    parser.addOption(trainOption);
    QCommandLineOption benchmarkOption(
        QStringLiteral("benchmark"),
        QStringLiteral("train the config, measure the longest event-loop stall, print JSON and quit (bench/)"));
    parser.addOption(benchmarkOption);
    QCommandLineOption openOption(QStringLiteral("open"),
                                  QStringLiteral("open a trained run for analysis (a checkpoint .pt or a run folder)"),
                                  QStringLiteral("checkpoint"));
    parser.addOption(openOption);
    QCommandLineOption trustOption(QStringLiteral("trust-script"),
                                   QStringLiteral("run TorchScript encoders without asking, even where they do more than "
                                                  "tensor math (a TorchScript file is a program)"));
    parser.addOption(trustOption);
    parser.process(application);
    if (parser.isSet(trustOption)) {
        tau::core::trustAllScripts();
    }

    tau::app::MainWindow window;
    const QStringList positional = parser.positionalArguments();
    const QFileInfo given(positional.value(0));
    const bool givenRun = !positional.isEmpty() && (given.suffix().toLower() == QLatin1String("pt") || given.isDir());
    if (!positional.isEmpty() && !givenRun) {
        window.openConfig(given.absoluteFilePath());
    } else if (const auto preset = tau::core::findPreset("default", tau::app::ConfigEditor::presetFolders())) {
        // The Train page never shows an empty config: the default preset, which an opened run's config replaces.
        window.openPreset(QString::fromStdString(*preset));
    } else {
        window.openBuiltInDefaults(); // no presets installed: what an empty config means, written out
    }
    if (givenRun) {
        window.openCheckpoint(given.absoluteFilePath()); // a checkpoint or a run folder
    }
    window.show();
    if (parser.isSet(openOption)) {
        window.openCheckpoint(QFileInfo(parser.value(openOption)).absoluteFilePath());
    }
    if (parser.isSet(benchmarkOption)) {
        return runGuiBenchmark(window);
    }
    if (parser.isSet(trainOption)) {
        QMetaObject::invokeMethod(&window, &tau::app::MainWindow::startTraining, Qt::QueuedConnection);
    }
    return QApplication::exec();
}
