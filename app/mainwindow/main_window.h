#pragma once

#include "core/common/training_observer.h"

#include <QMainWindow>

class QAction;
class QLabel;
class QMenu;
class QToolBar;
class QTableView;
class QTabWidget;

namespace tau::widgets {
class TrainingCurvePlot;
class DistributionPlot;
} // namespace tau::widgets

namespace tau::app {

class TrainingController;
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
 * the Analyse page (AnalysisPanel), the Runs dock, the Export menu (ExportActions), and the TrainingController
 * (Train, Pause and Stop in the toolbar, progress and ETA in the status bar). Training runs in a worker thread;
 * the window only draws what it reports.
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
    /** The Train page shows every built-in default (where no preset is installed). */
    void openBuiltInDefaults();
    /** Shows the runs of @p folder in the Runs panel, and remembers it for the next start. */
    void openRunsFolder(const QString& folder);
    bool isTraining() const;
    QString configErrorText() const;

    bool isPaused() const;
    /** Train, Pause, Stop and what a run reports; its TorchScript trust question can be answered by tests. */
    TrainingController* training() const;
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
    /** Puts the config of the run at @p location (a run folder or one of its checkpoints) on the Train page. */
    void showRunConfig(const QString& location);
    void buildActions();
    void buildLayout();
    void buildRunsDock();
    /** The exportable plots of the page on screen, and which of them is showing. */
    QVector<FigureEntry> figures(int* current = nullptr) const;
    void restoreSettings();
    void showAbout();
    void updateWindowTitle();

    ConfigEditor* m_editor;
    TrainPage* m_trainPage = nullptr;
    QLabel* m_statusLabel = nullptr;
    void chooseRunsFolder();
    void openRecent(const QString& path);
    void resetLayout();
    void showHelp();

    QAction* m_openAction = nullptr;
    RunsDock* m_runs = nullptr;
    RecentFiles* m_recent = nullptr;
    QMenu* m_viewMenu = nullptr;
    QByteArray m_defaultLayout;
    QTabWidget* m_pages = nullptr; ///< Train and Analyse
    AnalysisPanel* m_analysis = nullptr;
    ExportActions* m_exports = nullptr;
    TrainingController* m_training = nullptr;
};

} // namespace tau::app
