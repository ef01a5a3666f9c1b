// tau-explorer: the desktop application. Opens a config (the default one unless given) and waits for Train.

#include "app/mainwindow/main_window.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QFileInfo>
#include <QIcon>

int main(int argc, char** argv)
{
    QApplication application(argc, argv);
    QApplication::setApplicationName(QStringLiteral("TaU Explorer"));
    QApplication::setOrganizationName(QStringLiteral("TaU Explorer"));
    QApplication::setApplicationVersion(QStringLiteral(TAU_VERSION));
    QApplication::setWindowIcon(QIcon(QStringLiteral(":/icons/tau-explorer.svg")));

    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("Temperature as Uncertainty: train and explore contrastive models"));
    parser.addHelpOption();
    parser.addVersionOption();
    parser.addPositionalArgument(QStringLiteral("config"), QStringLiteral("experiment config to open (YAML or JSON)"));
    QCommandLineOption trainOption(QStringLiteral("train"), QStringLiteral("start training as soon as the window opens"));
    parser.addOption(trainOption);
    parser.process(application);

    tau::app::MainWindow window;
    const QStringList positional = parser.positionalArguments();
    if (!positional.isEmpty()) {
        window.openConfig(QFileInfo(positional.first()).absoluteFilePath());
    }
    window.show();
    if (parser.isSet(trainOption)) {
        QMetaObject::invokeMethod(&window, &tau::app::MainWindow::startTraining, Qt::QueuedConnection);
    }
    return QApplication::exec();
}
