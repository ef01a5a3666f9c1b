#pragma once

#include <QObject>
#include <QStringList>

class QMenu;

namespace tau::app {

/**
 * The files and folders opened lately (configs, checkpoints, run folders), newest first, kept in QSettings. The menu
 * lists those that still exist (missing ones are pruned), what each is, and a Clear entry.
 */
class RecentFiles : public QObject
{
    Q_OBJECT

public:
    explicit RecentFiles(QMenu* menu, QObject* parent = nullptr);

    void add(const QString& path);
    void clear();
    /** The entries that still exist, newest first (the settings are pruned of the others). */
    QStringList entries();

Q_SIGNALS:
    /** The user chose @p path in the menu. */
    void chosen(const QString& path);

private:
    void rebuildMenu();

    QMenu* m_menu;
};

} // namespace tau::app
