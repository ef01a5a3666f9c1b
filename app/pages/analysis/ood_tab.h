#pragma once

#include "app/bridge/evaluation_views.h"
#include "app/export/export_actions.h"
#include "core/evaluation/ood_evaluation.h"

#include <QWidget>

class QCheckBox;
class QComboBox;
class QLabel;
class QListWidget;
class QPushButton;
class QSpinBox;
class QTabWidget;
class QTableView;

namespace tau::core {
struct ScannedImages;
}

namespace tau::widgets {
class MetricsTableModel;
class RocPlot;
class ScoreHistogramPlot;
} // namespace tau::widgets

namespace tau::app {

/**
 * The OOD detection tab of the Analyse page: the OOD sets, scores and runs to compare on the left; the ROC curves,
 * ID-vs-OOD score histograms and the metrics table of the last evaluation on the right.
 */
class OodTab : public QWidget
{
    Q_OBJECT

public:
    /** Where each run's results go: RUN_DIR/eval/<kEvaluationName>, replaced by every evaluation. */
    static const QString kEvaluationName;

    explicit OodTab(QWidget* parent = nullptr);

    /**
     * Fills the controls for a run just opened: @p oodSets (the usual ones checked), every score a single run can
     * give (the run's defaults checked), the runs under @p runsRoot to compare with; shows its last evaluation.
     */
    void openRun(const core::ScannedImages& scan, const QStringList& oodSets, const QString& runsRoot);
    /** Checks these (names not offered are ignored). */
    void setChoices(const QStringList& sets, const QStringList& scores, int bootstrap, qint64 limit);
    /** One evaluation per run, the open run first; empty (and @p problem says why) when nothing is checked. */
    QVector<core::OodEvaluationOptions> requestedEvaluations(QString& problem) const;
    /** Reads and shows the evaluations written to @p folders, with @p warnings (and any unreadable folder). */
    void showResults(const QStringList& folders, const QStringList& warnings);
    void clearWarnings();
    void setBusy(bool busy);

    /** The ROC curves and score histograms, once there are results. */
    QVector<FigureEntry> figures() const;
    /** The plot of the results tab on screen. */
    QCustomPlot* shownPlot() const;
    bool hasMetrics() const { return !m_evaluations.isEmpty(); }
    QString metricsTable(bool latex) const;

    widgets::RocPlot* rocPlot() const { return m_roc; }
    widgets::MetricsTableModel* metricsModel() const { return m_metrics; }
    QTableView* metricsView() const { return m_metricsView; }

Q_SIGNALS:
    void evaluateRequested();

private:
    QWidget* buildControls();
    QWidget* buildResults();
    void showEarlierEvaluation();
    void showEvaluations();
    void showHistogramOf(const QString& score);

    QString m_runDirectory;
    QString m_inDataset;
    QVector<EvaluationFolder> m_evaluations;

    QListWidget* m_oodSets;
    QListWidget* m_scores;
    QListWidget* m_compareRuns;
    QSpinBox* m_bootstrap;
    QSpinBox* m_limit;
    QPushButton* m_evaluate;
    QTabWidget* m_results;
    widgets::RocPlot* m_roc;
    QCheckBox* m_logFpr;
    widgets::ScoreHistogramPlot* m_histograms;
    QComboBox* m_histogramScore;
    widgets::MetricsTableModel* m_metrics;
    QTableView* m_metricsView;
    QLabel* m_warnings;
    QLabel* m_hint;
    QLabel* m_protocol; ///< how the shown results were made: images per set, limit, seed, kNN's reference
};

} // namespace tau::app
