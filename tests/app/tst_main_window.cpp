#include "app/mainwindow/main_window.h"
#include "tests/support/test_support.h"
#include "widgets/plots/distribution_plot.h"
#include "widgets/plots/training_curve_plot.h"

#include <QAction>
#include <QPlainTextEdit>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest>

using tau::app::MainWindow;

class TestMainWindow : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();
    void trainFillsTheLiveCurves();
    void stopEndsTrainingEarly();
    void badConfigShowsTheErrorInsteadOfTraining();
    void missingDatasetIsReportedNotFatal();

private:
    QAction* action(MainWindow& window, const char* name) const;
    void openTinyConfig(MainWindow& window, const QByteArray& extra = {});

    std::unique_ptr<QTemporaryDir> m_dir;
    QString m_previousDir;
};

void TestMainWindow::init()
{
    // Runs go to runs/ under the working directory: keep them in a temporary one.
    m_dir = std::make_unique<QTemporaryDir>();
    m_previousDir = QDir::currentPath();
    QDir::setCurrent(m_dir->path());
}

void TestMainWindow::cleanup()
{
    QDir::setCurrent(m_previousDir);
    m_dir.reset();
}

QAction* TestMainWindow::action(MainWindow& window, const char* name) const
{
    auto* found = window.findChild<QAction*>(QString::fromLatin1(name));
    return found;
}

void TestMainWindow::openTinyConfig(MainWindow& window, const QByteArray& extra)
{
    const QString path = m_dir->filePath("tiny.yaml");
    QVERIFY(tau::test::writeFile(path, tau::test::readFile(tau::test::dataPath("configs/tiny.yaml")) + extra));
    QVERIFY(window.openConfig(path));
}

void TestMainWindow::trainFillsTheLiveCurves()
{
    MainWindow window;
    window.show();
    openTinyConfig(window);
    QSignalSpy ended(&window, &MainWindow::trainingEnded);
    QAction* train = action(window, "trainAction");
    QVERIFY(train != nullptr && train->isEnabled());
    train->trigger();
    QVERIFY(window.isTraining());
    QVERIFY(!train->isEnabled());
    QVERIFY(action(window, "stopAction")->isEnabled());

    // The loss plot receives points while training runs on its own thread.
    QTRY_VERIFY_WITH_TIMEOUT(window.trainingCurves()->stepPointCount() > 0, 120000);
    QTRY_COMPARE_WITH_TIMEOUT(ended.size(), 1, 300000);
    QCOMPARE(ended.first().at(0).toBool(), false);            // not cancelled
    QCOMPARE(ended.first().at(1).toString(), QString());      // no error
    QCOMPARE(window.trainingCurves()->stepPointCount(), 16);  // 2 epochs of 8 steps
    QCOMPARE(window.trainingCurves()->epochPointCount(), 2);
    QCOMPARE(window.certaintyPlot()->epochCount(), 2);
    QCOMPARE(window.rawPlot()->epochCount(), 2);
    QVERIFY(train->isEnabled());
    QVERIFY(QFile::exists(m_dir->filePath("runs/tiny/checkpoints/last.pt")));
}

void TestMainWindow::stopEndsTrainingEarly()
{
    MainWindow window;
    openTinyConfig(window, "num_epochs: 100\n");
    QSignalSpy ended(&window, &MainWindow::trainingEnded);
    action(window, "trainAction")->trigger();
    QTRY_VERIFY_WITH_TIMEOUT(window.trainingCurves()->stepPointCount() >= 2, 120000);
    action(window, "stopAction")->trigger();
    QTRY_COMPARE_WITH_TIMEOUT(ended.size(), 1, 60000);
    QCOMPARE(ended.first().at(0).toBool(), true);
    QVERIFY(!window.isTraining());
    QVERIFY(window.trainingCurves()->stepPointCount() < 800);
    QVERIFY(QFile::exists(m_dir->filePath("runs/tiny/checkpoints/last.pt")));
}

void TestMainWindow::badConfigShowsTheErrorInsteadOfTraining()
{
    MainWindow window;
    openTinyConfig(window);
    auto* editor = window.findChild<QPlainTextEdit*>("configEditor");
    QVERIFY(editor != nullptr);
    editor->setPlainText("exp_name: broken\noptimizer:\n  batch_size: -3\n");
    action(window, "trainAction")->trigger();
    QVERIFY(!window.isTraining());
    const QString error = window.configErrorText();
    QVERIFY2(error.contains("tiny.yaml:3: optimizer.batch_size: expected an integer >= 2"), qPrintable(error));
    // The cursor jumps to the offending line.
    QCOMPARE(editor->textCursor().blockNumber(), 2);
}

void TestMainWindow::missingDatasetIsReportedNotFatal()
{
    MainWindow window;
    openTinyConfig(window);
    auto* editor = window.findChild<QPlainTextEdit*>("configEditor");
    editor->setPlainText("exp_name: nodata\ndataset:\n  root: /nonexistent\n");
    QSignalSpy ended(&window, &MainWindow::trainingEnded);
    action(window, "trainAction")->trigger();
    QTRY_COMPARE_WITH_TIMEOUT(ended.size(), 1, 60000);
    const QString error = ended.first().at(1).toString();
    QVERIFY2(error.contains("/nonexistent/train-images-idx3-ubyte.gz: file not found"), qPrintable(error));
    QVERIFY(window.configErrorText().contains("Training failed"));
    QVERIFY(action(window, "trainAction")->isEnabled());
}

QTEST_MAIN(TestMainWindow)
#include "tst_main_window.moc"
