#pragma once

#include "widgets/browser/thumbnail_set.h"
#include "widgets/plots/color_map.h"

#include <QVector>
#include <QWidget>

class QCustomPlot;
class QCPColorScale;
class QFrame;
class QLabel;
class QMouseEvent;

namespace tau::widgets {

/** One projected image: where it lies and which image of which set it is. */
struct EmbeddingPoint
{
    double x = 0;
    double y = 0;
    int set = 0;   ///< index into the plot's sets (0: in-distribution)
    int image = 0; ///< index into that set
};

/**
 * A 2-D projection of the features as a scatter: coloured by certainty c (viridis, clamped to percentiles,
 * with a colour bar) or by class; in-distribution points as discs and each OOD set with its own marker.
 * Hovering a point shows its image; clicking one emits pointClicked.
 */
class EmbeddingPlot : public QWidget
{
    Q_OBJECT

public:
    enum class Colouring
    {
        Certainty,
        Class
    };

    explicit EmbeddingPlot(QWidget* parent = nullptr);

    void setData(const QVector<SharedThumbnailSet>& sets, const QVector<EmbeddingPoint>& points, const QString& method);
    void setColouring(Colouring colouring);
    /** Colours saturate below the @p low and above the @p high percentile of the shown scores. */
    void setClampPercentiles(double low, double high);
    /** Marker diameter; smaller for a figure at paper size, where thousands of points share 3.5 inches. */
    void setMarkerSize(double pixels);

    const ColorMap& colorMap() const { return m_colors; }
    int pointCount() const { return int(m_points.size()); }
    /** The point nearest to @p pixel within @p radius pixels, or -1. */
    int pointNear(const QPointF& pixel, double radius = 8.0) const;
    QCustomPlot* plot() const { return m_plot; }
    /** The points as CSV: set,image,label,score,x,y. */
    QString toCsv() const;

Q_SIGNALS:
    void pointClicked(int set, int image);

protected:
    bool eventFilter(QObject* watched, QEvent* event) override;
    void hideEvent(QHideEvent* event) override;

private:
    void redraw();
    void onMouseMove(QMouseEvent* event);
    void onMousePress(QMouseEvent* event);
    double scoreOf(const EmbeddingPoint& point) const;

    QCustomPlot* m_plot;
    QCPColorScale* m_colorScale = nullptr;
    QFrame* m_hover;      ///< a small floating card: the hovered image and its caption
    QLabel* m_hoverImage;
    QLabel* m_hoverText;
    QVector<SharedThumbnailSet> m_sets;
    QVector<EmbeddingPoint> m_points;
    QString m_method;
    Colouring m_colouring = Colouring::Certainty;
    double m_lowPercentile = 2;
    double m_highPercentile = 98;
    double m_markerSize = 5.0;
    ColorMap m_colors;
};

} // namespace tau::widgets
