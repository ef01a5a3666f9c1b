#pragma once

#include "widgets/browser/thumbnail_set.h"

#include <QWidget>

class QComboBox;
class QLabel;
class QListView;
class QSlider;
class QStackedWidget;
class QTableView;

namespace tau::widgets {

class CertaintyGridModel;
class ClassExtremesModel;

/**
 * Browses a set's images by certainty: every image in one virtualised grid sorted by c (optionally one class),
 * or the most and least certain of each class side by side. A click shows the image large with its class and
 * score. The set selector lists the run's test set and OOD sets; choosing one asks the owner to load it.
 */
class CertaintyBrowser : public QWidget
{
    Q_OBJECT

public:
    explicit CertaintyBrowser(QWidget* parent = nullptr);

    /** The sets the selector offers (the first is the in-distribution test set). */
    void setDatasetChoices(const QStringList& names, const QString& current);
    void setImageSet(SharedThumbnailSet set);
    /** What the browser says above a set that has no scores (it then shows the images in set order). */
    void setNoScoresNote(const QString& note);
    SharedThumbnailSet imageSet() const { return m_set; }

    /** Shows image @p image large and scrolls the grid to it (clearing a class filter that hides it). */
    void selectImage(int image);
    int selectedImage() const { return m_selected; }

    CertaintyGridModel* gridModel() const { return m_grid; }
    ClassExtremesModel* extremesModel() const { return m_extremes; }

Q_SIGNALS:
    void datasetRequested(const QString& name);
    void imageSelected(int image);

protected:
    bool eventFilter(QObject* watched, QEvent* event) override;

private:
    void showDetails(int image);
    /** The per-class table's thumbnails sized so that every class row fits the view's height. */
    void fitClassesToHeight();
    void refillClassFilter();

    SharedThumbnailSet m_set;
    int m_selected = -1;
    CertaintyGridModel* m_grid;
    ClassExtremesModel* m_extremes;
    QComboBox* m_datasets;
    QComboBox* m_classes;
    QComboBox* m_order;
    QComboBox* m_layout;
    QSlider* m_size;
    QStackedWidget* m_pages;
    QListView* m_gridView;
    QTableView* m_extremesView;
    QLabel* m_large;
    QLabel* m_details;
    QLabel* m_notice;
    QString m_noScoresNote;
};

} // namespace tau::widgets
