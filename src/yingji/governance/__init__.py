"""Work tasks and supervision (工作任务与督查督办, issue 14 item 1)."""
