#pragma once

#include "core/common/cancellation.h"
#include "core/evaluation/embedding.h"
#include "core/evaluation/image_scan.h"
#include "core/evaluation/ood_evaluation.h"

#include <QObject>
#include <QString>
#include <QStringList>
#include <QVector>

#include <memory>

namespace tau::app {

using SharedScan = std::shared_ptr<const core::ScannedImages>;

/** Points to project with t-SNE: row-major [count, dim] features. */
struct ProjectionRequest
{
    std::shared_ptr<const std::vector<float>> points;
    int64_t dim = 0;
    core::TsneOptions options;
};

/**
 * Runs the analysis side of the core on the thread it lives on: scanning a set (c and features for every
 * image), t-SNE, and OOD evaluations of one or several runs. Reports progress through queued signals; stop()
 * is thread-safe and ends the current job at its next batch or iteration. One job at a time.
 */
class AnalysisWorker : public QObject, private core::EvaluationObserver
{
    Q_OBJECT

public:
    explicit AnalysisWorker(QObject* parent = nullptr);

    /** Thread-safe. */
    void stop() { m_cancel.requestStop(); }

public Q_SLOTS:
    void scan(const tau::core::ImageScanOptions& options);
    void project(const tau::app::ProjectionRequest& request);
    /** One evaluation per entry (the run to evaluate and everything about it). */
    void evaluate(const QVector<tau::core::OodEvaluationOptions>& runs);

Q_SIGNALS:
    void progress(const QString& stage, qint64 done, qint64 total, double etaSeconds);
    void scanned(const tau::app::SharedScan& scan);
    void projected(const QVector<double>& coordinates);
    /** The folders written (RUN_DIR/eval/<name>), in the order of the runs, and the evaluations' warnings. */
    void evaluated(const QStringList& folders, const QStringList& warnings);
    /** Before failed(): the job needs a TorchScript file that is a program, which the user may trust. */
    void scriptRefused(const QString& path, const QStringList& reasons);
    /** Emitted instead of a result when a job fails (@p error) or was stopped (empty error). */
    void failed(const QString& error);

private:
    void onProgress(const std::string& stage, long long done, long long total, double etaSeconds) override;

    core::CancellationToken m_cancel;
};

} // namespace tau::app

Q_DECLARE_METATYPE(tau::core::ImageScanOptions)
Q_DECLARE_METATYPE(tau::app::SharedScan)
Q_DECLARE_METATYPE(tau::app::ProjectionRequest)
Q_DECLARE_METATYPE(QVector<tau::core::OodEvaluationOptions>)
