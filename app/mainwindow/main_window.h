#pragma once

#include "core/common/training_observer.h"

#include <QMainWindow>
#include <QThread>

class QAction;
class QLabel;
class QMenu;
class QToolBar;
class QProgressBar;
class QTableView;
class QTabWidget;

namespace tau::widgets {
class TrainingCurvePlot;
class DistributionPlot;
} // namespace tau::widgets

namespace tau::app {

class TrainingWorker;
class RunsModel;
class ConfigEditor;
class TrainPage;
class RunsDock;
class RecentFiles;
class AnalysisPanel;
struct FigureEntry;
class ExportActions;

/**
 * The explorer's window, which wires its parts together: the Train page (ConfigEditor and the live dashboard),
 * the Analyse page (AnalysisPanel), the Runs dock, the Export menu (ExportActions), and the training worker's
 * lifecycle with Train, Pause and Stop in the toolbar and progress and ETA in the status bar. Training runs in a
 * worker thread; the window only draws what it reports.
 */
class MainWindow : public QMainWindow
{
    Q_OBJECT

public:
    explicit MainWindow(QWidget* parent = nullptr);
    ~MainWindow() override;

    /** Loads a config file into the editor; false (with the reason shown) when it cannot be read. */
    bool openConfig(const QString& path);
    /** Starts a new, unsaved config from a shipped one. */
    bool openPreset(const QString& path);
    /** Shows the runs of @p folder in the Runs panel, and remembers it for the next start. */
    void openRunsFolder(const QString& folder);
    bool isTraining() const { return m_training; }
    QString configErrorText() const;

    bool isPaused() const { return m_paused; }
    RunsModel* runsModel() const;
    QTableView* runsView() const;
    /** Shows the curves of the runs selected in the runs panel (the first in full, the others overlaid). */
    void showSelectedRuns();
    /** Validates the editor's text now (it also happens shortly after every edit). */
    void validateConfig();

    /** Opens a trained run for analysis (a .pt, or a run directory) and shows the Analyse page. */
    bool openCheckpoint(const QString& location);
    AnalysisPanel* analysisPanel() const { return m_analysis; }
    /** Writes the plot on screen (PDF/SVG/PNG by extension); an empty string or what went wrong. */
    QString exportCurrentFigure(const QString& path, int size, int dpi);
    /** The data behind the plot on screen as CSV (empty when there is none). */
    QString currentFigureCsv() const;

    widgets::TrainingCurvePlot* trainingCurves() const;
    widgets::DistributionPlot* certaintyPlot() const;
    widgets::DistributionPlot* rawPlot() const;
    widgets::DistributionPlot* temperaturePlot() const;

public Q_SLOTS:
    void startTraining();
    void stopTraining();
    void togglePause();

Q_SIGNALS:
    /** Emitted when a training run has ended, however it ended. */
    void trainingEnded(bool cancelled, const QString& error);

protected:
    void closeEvent(QCloseEvent* event) override;
    void dragEnterEvent(QDragEnterEvent* event) override;
    void dropEvent(QDropEvent* event) override;

private:
    void buildActions();
    void buildLayout();
    void buildRunsDock();
    /** The exportable plots of the page on screen, and which of them is showing. */
    QVector<FigureEntry> figures(int* current = nullptr) const;
    void restoreSettings();
    void showAbout();
    void setTraining(bool training);
    void updateWindowTitle();

    void onStarted(const QString& runDirectory, qint64 totalSteps);
    void onStep(const tau::core::StepRecord& record);
    void onEpoch(const tau::core::EpochRecord& record);
    void onFinished(bool cancelled, const QString& runDirectory, const QString& error);

    ConfigEditor* m_editor;
    TrainPage* m_trainPage = nullptr;
    QLabel* m_statusLabel = nullptr;
    QLabel* m_etaLabel = nullptr;
    QProgressBar* m_progress = nullptr;
    void chooseRunsFolder();
    void openRecent(const QString& path);
    void resetLayout();
    void showHelp();

    QAction* m_trainAction = nullptr;
    QAction* m_stopAction = nullptr;
    QAction* m_openAction = nullptr;
    QAction* m_pauseAction = nullptr;
    RunsDock* m_runs = nullptr;
    RecentFiles* m_recent = nullptr;
    QMenu* m_viewMenu = nullptr;
    QByteArray m_defaultLayout;
    QTabWidget* m_pages = nullptr; ///< Train and Analyse
    AnalysisPanel* m_analysis = nullptr;
    ExportActions* m_exports = nullptr;
    bool m_paused = false;

    QThread m_workerThread;
    TrainingWorker* m_worker = nullptr;
    bool m_training = false;
    qint64 m_lastStep = 0;
};

} // namespace tau::app
