/*
 * cmd.h - the subcommands of lasteri.  Each takes argc/argv with argv[0] the
 * subcommand name and returns the exit status: 0 success, 1 a "no" answer
 * (verification failed, tampering found), 2 usage or input errors.
 */
#ifndef LASTERI_CMD_H
#define LASTERI_CMD_H

int	cmd_import(int argc, char **argv);	/* cmd_data.c */
int	cmd_export(int argc, char **argv);	/* cmd_data.c */
int	cmd_search(int argc, char **argv);	/* cmd_query.c */
int	cmd_stats(int argc, char **argv);	/* cmd_query.c */
int	cmd_sample(int argc, char **argv);	/* cmd_sample.c */
int	cmd_pki(int argc, char **argv);		/* cmd_pki.c */
int	cmd_trust(int argc, char **argv);	/* cmd_trust.c */
int	cmd_verify(int argc, char **argv);	/* cmd_verify.c */
int	cmd_supervision_show(int argc, char **argv);	/* cmd_supervision_show.c */
int	cmd_supervision(int argc, char **argv);	/* cmd_supervision.c */
int	cmd_queries(int argc, char **argv);	/* cmd_queries.c */
int	cmd_audit(int argc, char **argv);	/* cmd_audit.c */
int	cmd_user(int argc, char **argv);	/* cmd_user.c */
int	cmd_backup(int argc, char **argv);	/* cmd_backup.c */
int	cmd_restore(int argc, char **argv);	/* cmd_backup.c */
int	cmd_check(int argc, char **argv);	/* cmd_backup.c */
int	cmd_status(int argc, char **argv);	/* cmd_status.c */
int	cmd_unit(int argc, char **argv);	/* cmd_unit.c */

#endif
