#pragma once

#include "app/export/export_actions.h"
#include "app/mainwindow/script_trust_question.h"
#include "app/pages/analysis/embedding_tab.h"
#include "widgets/browser/thumbnail_set.h"

#include <QThread>
#include <QWidget>

#include <functional>
#include <memory>
#include <vector>

class QLabel;
class QProgressBar;
class QPushButton;
class QTabWidget;
class QTableView;

namespace tau::core {
struct ScannedImages;
}

namespace tau::widgets {
class CertaintyBrowser;
class EmbeddingPlot;
class MetricsTableModel;
class RocPlot;
} // namespace tau::widgets

namespace tau::app {

class AnalysisWorker;
class EmbeddingTab;
class OodTab;

/**
 * The analysis half of the window: open a trained run, browse its images by certainty, see its embedding, and
 * compare OOD detection across sets, scores and runs. Everything heavy runs in a worker thread, one job at a
 * time, with progress and Cancel.
 */
class AnalysisPanel : public QWidget
{
    Q_OBJECT

public:
    explicit AnalysisPanel(QWidget* parent = nullptr);
    ~AnalysisPanel() override;

    /** Where runs to compare with are listed from. */
    void setRunsRoot(const QString& root);
    /** A checkpoint (.pt) or a run directory: scores its test set in the worker. False when a job runs. */
    bool openCheckpoint(const QString& location);
    /** Scores another set (an OOD set, or the ID set) with the open run, or shows it when already scored. */
    bool showSet(const QString& name);
    /** Evaluates the checked OOD sets and scores for the open run and the checked runs to compare. */
    bool runOod();
    /** Checks these in the OOD controls (names not offered are ignored). */
    void setOodChoices(const QStringList& sets, const QStringList& scores, int bootstrap = 0, qint64 limit = 0);
    /** Computes t-SNE of the shown points in the worker. */
    bool computeTsne();
    void cancel();
    /** Replaces the dialog that asks whether to trust a refused TorchScript encoder (tests answer without one). */
    void setTrustQuestion(TrustQuestion question) { m_trust.setQuestion(std::move(question)); }

    bool busy() const { return m_busy; }
    QString runDirectory() const { return m_runDirectory; }

    /** The plots of this page that have something to show: the embedding, and the OOD results once computed. */
    QVector<FigureEntry> figures() const;
    /** The index in figures() of the plot on screen (0 when none is). */
    int currentFigureIndex() const;
    bool hasMetrics() const;
    QString metricsTable(bool latex) const;

    widgets::CertaintyBrowser* browser() const { return m_browser; }
    widgets::EmbeddingPlot* embedding() const;
    widgets::RocPlot* rocPlot() const;
    widgets::MetricsTableModel* metricsModel() const;
    QTableView* metricsView() const;

Q_SIGNALS:
    void checkpointOpened(const QString& runDirectory);
    void setScanned(const QString& name);
    void oodEvaluated(const QStringList& folders);
    void embeddingProjected();
    void jobFailed(const QString& error);
    void statusMessage(const QString& text);

private:
    QWidget* buildHeader();
    void setBusy(bool busy, const QString& what = {});
    /** True (and says so) while a job runs: one job at a time. */
    bool refuseWhenBusy();
    /** Runs @p job (a call of the worker's) on the worker thread; kept, to run again once a refused encoder is trusted. */
    void startJob(const QString& stage, std::function<void()> job);
    /** Scores @p dataset (empty: the run's own test set) with the open run in the worker. */
    void startScan(const QString& dataset, const QString& stage);
    /** The set called @p name, when it was scanned. */
    const EmbeddedSet* scanned(const QString& name) const;
    /** Fills the page for the run of its first scan. */
    void showRun(const core::ScannedImages& scan);
    void onProgress(const QString& stage, qint64 done, qint64 total, double etaSeconds);
    void onScanned(const std::shared_ptr<const core::ScannedImages>& scan);
    void onProjected(const QVector<double>& coordinates);
    void onEvaluated(const QStringList& folders, const QStringList& warnings);
    void onFailed(const QString& error);

    QThread m_thread;
    AnalysisWorker* m_worker;
    bool m_busy = false;
    QString m_stage; ///< what the running job does, shown with its ETA
    std::function<void()> m_job; ///< the running (or last) job
    PendingTrust m_trust;        ///< a TorchScript encoder the last job refused, until answered

    QString m_checkpoint;
    QString m_runDirectory;
    QString m_inDataset;
    QString m_runsRoot;
    QVector<EmbeddedSet> m_sets; ///< every scanned set, the ID set first

    QLabel* m_runLabel;
    QProgressBar* m_progress;
    QLabel* m_eta;
    QPushButton* m_cancel;
    QTabWidget* m_tabs;
    widgets::CertaintyBrowser* m_browser;
    EmbeddingTab* m_embeddingTab;
    OodTab* m_oodTab;
};

} // namespace tau::app
